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
    /// The pool's VF list no longer matches its PFs' VFs (the running pool's list, or its fixed list,
    /// names other VFs than the PFs have now); restart the pool, or recreate a fixed one.
    /// </summary>
    Stale,

    /// <summary>
    /// The network is defined but not started: a guest on it fails to start ("network 'NAME' is not
    /// active") until it is started.
    /// </summary>
    NotStarted,
}
