using System.Threading;

namespace SriovPS.Plans;

/// <summary>What a step has while it is made: where it reports, the command's cancellation, its progress.</summary>
internal sealed class StepContext(IChangeAsker asker, CancellationToken cancellation, IDisposable? prepared)
{
    public IHostReport Report => asker;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>What <see cref="PlanStep.Prepare"/> gave, for the step to commit.</summary>
    public IDisposable? Prepared { get; } = prepared;

    /// <summary>Shows how far a long step is; <paramref name="percent"/> 0 to 100.</summary>
    public void Progress(string target, string status, int percent) => asker.Progress(target, status, Math.Clamp(percent, 0, 100), completed: false);

    /// <summary>The same context for a step made inside this one (<see cref="InlinePlan"/>), with what its own preparation gave.</summary>
    internal StepContext With(IDisposable? prepared) => new(asker, Cancellation, prepared);

    public void ProgressDone(string target) => asker.Progress(target, string.Empty, 100, completed: true);
}
