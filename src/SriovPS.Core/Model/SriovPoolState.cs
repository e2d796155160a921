namespace SriovPS;

/// <summary>Whether an SR-IOV pool can serve the guests that use it.</summary>
public enum SriovPoolState
{
    /// <summary>Every guest that uses the pool can get a VF.</summary>
    Ok,

    /// <summary>
    /// No VF is free: the next guest to start on the pool fails with "requires exclusive access to
    /// interfaces, but none are available".
    /// </summary>
    Exhausted,

    /// <summary>The guests defined on the pool ask for more VFs than it has: they cannot all run at once.</summary>
    Overcommitted,

    /// <summary>
    /// The pool's VF list no longer matches its PFs' VFs (their count changed after the pool started, or
    /// since its fixed list was written); restart the pool, or recreate a fixed one.
    /// </summary>
    Stale,
}
