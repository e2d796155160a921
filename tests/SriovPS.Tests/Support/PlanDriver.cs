using System;
using System.Collections.Generic;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;

namespace SriovPS.Tests.Support;

/// <summary>
/// A user who answers each step of a plan as told (by target; Yes otherwise), confirms every second
/// question, and keeps what was asked and what the plan reported.
/// </summary>
internal sealed class ScriptedAsker : IChangeAsker
{
    private readonly Func<string, StepAnswer> _answer;

    public ScriptedAsker(Func<string, StepAnswer>? answer = null) => _answer = answer ?? (_ => StepAnswer.Yes);

    public ScriptedAsker(StepAnswer answer)
        : this(_ => answer)
    {
    }

    /// <summary>The targets asked about, in order.</summary>
    public List<string> Asked { get; } = [];

    /// <summary>The actions asked about, in order.</summary>
    public List<string> Actions { get; } = [];

    /// <summary>The second questions (ShouldContinue) asked.</summary>
    public List<string> Questions { get; } = [];

    public HostReport Told { get; } = new();

    public bool ConfirmsQuestions { get; init; } = true;

    public StepAnswer Ask(string target, string action)
    {
        Asked.Add(target);
        Actions.Add(action);
        return _answer(target);
    }

    public bool Confirm(string target, string question, string caption)
    {
        Questions.Add(question);
        return ConfirmsQuestions;
    }

    public void Progress(string target, string status, int percent, bool completed)
    {
    }

    public void Note(string note) => Told.Note(note);

    public void Warn(string warning) => Told.Warn(warning);

    public void Fail(SriovException failure) => Told.Fail(failure);
}

/// <summary>Runs plans the way a cmdlet does, on a host tree (or the live host) with a scripted user.</summary>
internal static class PlanDriver
{
    /// <param name="root">The host tree; null for the live host.</param>
    public static PlanResult Run(ChangePlan plan, string? root, IChangeAsker? asker = null)
    {
        asker ??= new ScriptedAsker();
        using var session = new HostSession(HostContext.FromRoot(root), asker);
        return PlanRunner.Run(plan, asker, session);
    }

    /// <summary>A context for making one step directly, outside a plan.</summary>
    public static StepContext Context(ScriptedAsker? asker = null) => new(asker ?? new ScriptedAsker(), CancellationToken.None, null);
}
