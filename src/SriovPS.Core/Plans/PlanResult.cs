namespace SriovPS.Plans;

/// <summary>What became of a plan's steps.</summary>
internal sealed class PlanResult
{
    internal HashSet<PlanStep> Accepted { get; } = [];

    internal HashSet<PlanStep> Shown { get; } = [];

    /// <summary>Steps the user said no to.</summary>
    internal HashSet<PlanStep> Declined { get; } = [];

    /// <summary>Steps refused on a copied tree for <see cref="ChangePlan.LiveHostRefusal"/>, which the steps after them still follow.</summary>
    internal HashSet<PlanStep> RefusedOnTree { get; } = [];

    public List<PlanStep> Made { get; } = [];

    public List<PlanStep> Failed { get; } = [];

    /// <summary>Steps made and then taken back because a later one failed.</summary>
    public List<PlanStep> Undone { get; } = [];

    /// <summary>The files changed and kept, in the order the steps ran.</summary>
    public List<SriovHostChange> Changes => Made.Where(s => !Undone.Contains(s) && ChangeOf.ContainsKey(s)).Select(s => ChangeOf[s]).ToList();

    internal Dictionary<PlanStep, SriovHostChange> ChangeOf { get; } = [];

    public bool WasMade(PlanStep step) => Made.Contains(step) && !Undone.Contains(step);

    /// <summary>Whether the step was shown under -WhatIf rather than made.</summary>
    public bool WasShown(PlanStep step) => Shown.Contains(step);

    /// <summary>Whether the user said yes to the step, or saw it under -WhatIf: what a later step asks about follows it.</summary>
    public bool WasAcceptedOrShown(PlanStep step) => Accepted.Contains(step) || Shown.Contains(step);
}
