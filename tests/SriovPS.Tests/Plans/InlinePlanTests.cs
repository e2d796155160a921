using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Plans;

/// <summary>
/// Steps worked out and made inside a step that was already asked about (the drivers of VFs just
/// created, a pool over them): made in order without asking, taken back together, newest first.
/// </summary>
public sealed class InlinePlanTests
{
    private readonly List<string> _log = [];

    private PlanStep Step(string name, Action? apply = null, IReadOnlyList<PlanStep>? after = null, bool undoable = true) => new(name, $"do {name}\nmore", _ =>
    {
        _log.Add($"make {name}");
        apply?.Invoke();
        return null;
    })
    {
        After = after ?? [],
        Undo = undoable ? _ => _log.Add($"undo {name}") : null,
    };

    private static SriovException Refused(string what) => new(ErrorCatalog.VfCountFailed, $"{what} was refused.", what);

    [Fact]
    public void TheSteps_AreMadeInOrder_WithoutAsking_AndEachIsNoted()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(Step("b"));
        plan.Report.Note("planned");
        plan.Report.Warn("careful");
        var asker = new ScriptedAsker();

        InlinePlan.Make(plan, PlanDriver.Context(asker));

        Assert.Equal(["make a", "make b"], _log);
        Assert.Empty(asker.Asked);
        Assert.Equal(["planned", "a: do a: done.", "b: do b: done."], asker.Told.Notes);
        Assert.Equal(["careful"], asker.Told.Warnings);
    }

    [Fact]
    public void AStepThatFollowsOneNotMade_IsSkipped()
    {
        var elsewhere = Step("elsewhere");
        var plan = new ChangePlan();
        var a = plan.Add(Step("a"));
        plan.Add(Step("after a", after: [a]));
        plan.Add(Step("after elsewhere", after: [elsewhere]));
        plan.Add(Step("after either", after: [elsewhere, a]));

        InlinePlan.Make(plan, PlanDriver.Context());

        Assert.Equal(["make a", "make after a", "make after either"], _log);
    }

    [Fact]
    public void AFailingStep_TakesBackTheStepsBeforeIt_NewestFirst_ThenThrowsItsError()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(Step("b"));
        plan.Add(Step("c", () => throw Refused("c")));
        plan.Add(Step("d"));
        var asker = new ScriptedAsker();

        var error = Assert.Throws<SriovException>(() => InlinePlan.Make(plan, PlanDriver.Context(asker)));

        Assert.Equal("c was refused.", error.Message);
        Assert.Equal(["make a", "make b", "make c", "undo b", "undo a"], _log);
        Assert.Contains("b: do b: taken back.", asker.Told.Notes);
    }

    [Fact]
    public void TheReturnedUndo_TakesBackEveryStep_NewestFirst_OnlyOnce()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(Step("b", undoable: false));
        plan.Add(Step("c"));
        var asker = new ScriptedAsker();
        var undo = InlinePlan.Make(plan, PlanDriver.Context(asker));
        _log.Clear();

        undo(PlanDriver.Context(asker));
        undo(PlanDriver.Context(asker));

        Assert.Equal(["undo c", "undo a"], _log);
        Assert.Equal(["b: do b was made and cannot be taken back."], asker.Told.Warnings);
    }

    [Fact]
    public void AnUndoThatFails_IsReported_AndTheOthersStillRun()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(new PlanStep("b", "do b", _ => null) { Undo = _ => throw Refused("undo b") });
        var asker = new ScriptedAsker();
        var undo = InlinePlan.Make(plan, PlanDriver.Context(asker));

        undo(PlanDriver.Context(asker));

        Assert.Equal(["make a", "undo a"], _log);
        Assert.Equal(["undo b was refused."], asker.Told.Failures.Select(f => f.Message));
    }

    [Fact]
    public void ThePlannersRefusals_AreThrownFirst_AndNothingIsMade()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Report.Fail(Refused("first"));
        plan.Report.Fail(Refused("second"));
        var asker = new ScriptedAsker();

        var error = Assert.Throws<SriovException>(() => InlinePlan.Make(plan, PlanDriver.Context(asker)));

        Assert.Equal("first was refused.", error.Message);
        Assert.Equal(["second was refused."], asker.Told.Failures.Select(f => f.Message));
        Assert.Empty(_log);
    }

    [Fact]
    public void AStepsPreparedFile_IsHandedToIt_AndReleasedOnceItIsMade()
    {
        var file = new Prepared();
        object? seen = null;
        var plan = new ChangePlan();
        plan.Add(new PlanStep("file", "write it", context =>
        {
            seen = context.Prepared;
            Assert.False(file.Disposed);
            return null;
        })
        { Prepare = () => file });

        InlinePlan.Make(plan, PlanDriver.Context());

        Assert.Same(file, seen);
        Assert.True(file.Disposed);
    }

    [Fact]
    public void AFileThatCannotBePrepared_TakesBackTheStepsBeforeIt()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(new PlanStep("file", "write it", _ => null) { Prepare = () => throw Refused("file") });

        Assert.Throws<SriovException>(() => InlinePlan.Make(plan, PlanDriver.Context()));

        Assert.Equal(["make a", "undo a"], _log);
    }

    private sealed class Prepared : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
