using System;
using System.Collections.Generic;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Plans;

/// <summary>
/// A plan that stands or falls whole (RollsBack): a host that cannot ask part-way makes none of its steps,
/// and a verification that cannot read the host back fails the plan and takes back what was made.
/// </summary>
public sealed class PlanAllOrNothingTests : IDisposable
{
    private readonly HostTree _tree = HostTree.Empty();
    private readonly List<string> _log = [];

    public void Dispose() => _tree.Dispose();

    private PlanStep Step(string name) => new(name, $"do {name}", _ =>
    {
        _log.Add($"make {name}");
        return null;
    })
    {
        Undo = _ => _log.Add($"undo {name}"),
    };

    private static ScriptedAsker CannotAskAt(string target, SriovException unavailable) =>
        new(t => t == target ? throw unavailable : StepAnswer.Yes);

    [Fact]
    public void APlanThatRollsBack_MakesNothing_WhenTheSecondStepCannotBeAsked()
    {
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true };
        plan.Add(Step("a"));
        plan.Add(Step("b"));
        plan.Add(Step("c"));
        var unavailable = new SriovException(ErrorCatalog.ConfirmationUnavailable, "b: cannot ask.", "b");
        var asker = CannotAskAt("b", unavailable);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["a", "b"], asker.Asked);
        Assert.Empty(_log);
        Assert.Empty(result.Made);
        Assert.Empty(result.Undone);
        Assert.Same(unavailable, Assert.Single(asker.Told.Failures));
    }

    [Fact]
    public void APlanThatDoesNotRollBack_StillMakesTheStepAcceptedBefore()
    {
        var plan = new ChangePlan { RollsBack = false };
        var a = plan.Add(Step("a"));
        plan.Add(Step("b"));
        var unavailable = new SriovException(ErrorCatalog.ConfirmationUnavailable, "b: cannot ask.", "b");
        var asker = CannotAskAt("b", unavailable);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a"], _log);
        Assert.Equal([a], result.Made);
        Assert.Same(unavailable, Assert.Single(asker.Told.Failures));
    }

    [Fact]
    public void AVerificationThatThrows_FailsThePlan_AndTakesBackWhatWasMade_NewestFirst()
    {
        var unreadable = new SriovException(ErrorCatalog.InterfaceNotFound, "eno49 is gone.", "eno49");
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = () => throw unreadable };
        var a = plan.Add(Step("a"));
        var b = plan.Add(Step("b"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a", "make b", "undo b", "undo a"], _log);
        Assert.Equal([b, a], result.Undone);
        var error = Assert.Single(asker.Told.Failures);
        Assert.Equal((ErrorCatalog.InterfaceNotFound, "eno49"), (error.Id, error.Target));
        Assert.Equal("eno49 is gone.\nTaken back, newest first:\n  b: do b\n  a: do a", error.Message);
        Assert.Same(unreadable, error.InnerException);
    }

    [Fact]
    public void AVerificationThatThrows_WithoutRollBack_IsReported_AndKeepsTheSteps()
    {
        var unreadable = new SriovException(ErrorCatalog.InterfaceNotFound, "eno49 is gone.", "eno49");
        var plan = new ChangePlan { RollsBack = false, Verify = () => throw unreadable };
        plan.Add(Step("a"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a"], _log);
        Assert.Empty(result.Undone);
        Assert.Same(unreadable, Assert.Single(asker.Told.Failures));
    }
}
