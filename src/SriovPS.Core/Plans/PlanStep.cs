namespace SriovPS.Plans;

/// <summary>
/// One change of a plan, asked about on its own (ShouldProcess(<see cref="Target"/>, <see cref="Action"/>)):
/// VFs created, a driver bound, a file written, a link brought up, a libvirt network defined.
/// </summary>
internal sealed class PlanStep
{
    private readonly Func<StepContext, SriovHostChange?> _apply;

    /// <param name="apply">Makes the change; returns the file changed, or <c>null</c> for a change of the running host.</param>
    public PlanStep(string target, string action, Func<StepContext, SriovHostChange?> apply)
    {
        Target = target;
        Action = action;
        _apply = apply;
    }

    public string Target { get; }

    /// <summary>What the step does; for a file, what changes and the exact lines before and after.</summary>
    public string Action { get; }

    /// <summary>
    /// The action worked out when the step is asked about, from the answers to the steps before it
    /// (a file that records what was accepted); <c>null</c> from it: nothing to do, the step is not asked.
    /// Without it, <see cref="Action"/> is asked.
    /// </summary>
    public Func<PlanResult, string?>? ActionFromAnswers { get; init; }

    /// <summary>
    /// Steps this one follows: it is asked about only when one of them was accepted (or shown under
    /// -WhatIf), and made only when one of them was made. Empty: it stands on its own.
    /// </summary>
    public IReadOnlyList<PlanStep> After { get; init; } = [];

    /// <summary>A second question asked once the step is accepted (ShouldContinue), for a change that destroys something.</summary>
    public string? Question { get; init; }

    public string QuestionCaption { get; init; } = "Continue";

    /// <summary>Why only the running kernel can make this change; <c>null</c> when a copied host tree takes it too.</summary>
    public string? LiveHostOnly { get; init; }

    /// <summary>What that refusal names (a PF), when not <see cref="Target"/>.</summary>
    public string? LiveHostLabel { get; init; }

    /// <summary>
    /// Prepares a module-owned file before any step of the plan is made (writing the new version beside
    /// the old is the permission check), so a refusal changes nothing; the step's apply then commits it.
    /// </summary>
    public Func<IDisposable?>? Prepare { get; init; }

    /// <summary>Takes the change back when a later step of a plan that rolls back failed.</summary>
    public Action<StepContext>? Undo { get; init; }

    /// <exception cref="SriovException">It failed; what earlier steps made stays unless the plan rolls back.</exception>
    internal SriovHostChange? Apply(StepContext context) => _apply(context);
}
