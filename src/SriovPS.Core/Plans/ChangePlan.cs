namespace SriovPS.Plans;

/// <summary>
/// The ordered steps of one change of a host, with what the planner found while working them out:
/// files that already say what was asked, notes, warnings, and parts refused before anything is asked.
/// <see cref="PlanRunner"/> asks about and makes the steps.
/// </summary>
internal sealed class ChangePlan
{
    public List<PlanStep> Steps { get; } = [];

    /// <summary>Files that already say what was asked.</summary>
    public List<SriovHostChange> Unchanged { get; } = [];

    /// <summary>Notes, warnings and refusals found while planning; the other steps stand.</summary>
    public HostReport Report { get; } = new();

    /// <summary>
    /// Whether a failed step takes back, newest first, what the steps before it made; otherwise the
    /// steps that do not follow it still run.
    /// </summary>
    public bool RollsBack { get; init; }

    /// <summary>
    /// On a copied host tree, one refusal for all the accepted steps only the running kernel can make
    /// (<see cref="PlanStep.LiveHostOnly"/>), worked out after the tree's own steps are made so that it can
    /// say what the tree got; the steps that follow a refused one are made in the tree as if it had been
    /// (the tree's files are its own). <c>null</c>: each is refused on its own before anything is made.
    /// </summary>
    public Func<PlanResult, SriovException>? LiveHostRefusal { get; init; }

    /// <summary>Whether the first failed step ends the plan, as one change made of several writes does (a PF's settings).</summary>
    public bool StopsAtFirstFailure { get; init; }

    /// <summary>
    /// Reads the host again once every step is made, still under the lock: the exception it returns
    /// says what is not as planned, and fails the plan as a failed step would (rolling back if it does).
    /// </summary>
    public Func<SriovException?>? Verify { get; init; }

    /// <summary>Whether a rollback's error also says which steps were taken back and which could not be.</summary>
    public bool SaysWhatWasTakenBack { get; init; }

    /// <summary>Whether the steps are made under the host's change lock; libvirt's own objects are guarded by libvirt.</summary>
    public bool TakesHostLock { get; init; } = true;

    public PlanStep Add(PlanStep step)
    {
        Steps.Add(step);
        return step;
    }

    public void Add(ChangePlan other)
    {
        Steps.AddRange(other.Steps);
        Unchanged.AddRange(other.Unchanged);
        Report.Add(other.Report);
    }

    /// <summary>A step that writes <paramref name="edit"/> (and can restore the old text), or the file's report when it already says so.</summary>
    internal PlanStep? AddEdit(HostFileEdit? edit, IReadOnlyList<PlanStep>? after = null)
    {
        if (edit is null)
        {
            return null;
        }

        if (!edit.Changes)
        {
            Unchanged.Add(edit.Report());
            return null;
        }

        return Add(new PlanStep(edit.File.HostPath, edit.Action, _ => edit.Commit())
        {
            After = after ?? [],
            Undo = _ => edit.Restore(),
        });
    }
}
