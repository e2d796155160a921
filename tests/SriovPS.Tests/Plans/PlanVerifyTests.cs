using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Plans;

/// <summary>
/// A plan that reads the host again once its steps are made (<see cref="ChangePlan.Verify"/>): a host not
/// as planned fails the plan as a failed step would, and the error can say what was taken back.
/// </summary>
public sealed class PlanVerifyTests : IDisposable
{
    private readonly HostTree _tree = HostTree.Empty();
    private readonly List<string> _log = [];

    public void Dispose() => _tree.Dispose();

    private PlanStep Step(string name, bool undoable = true, Action? apply = null) => new(name, $"do {name}\nsecond line", _ =>
    {
        _log.Add($"make {name}");
        apply?.Invoke();
        return null;
    })
    {
        Undo = undoable ? _ => _log.Add($"undo {name}") : null,
    };

    private static SriovException NotReached() => new(ErrorCatalog.ConfigurationNotReached, "eno49 Mtu is 1500, not 9000.", "eno49", "Look again.");

    private Func<SriovException?> Verify(SriovException? outcome) => () =>
    {
        _log.Add("verify");
        return outcome;
    };

    [Fact]
    public void AVerificationThatFails_TakesBackTheMadeSteps_NewestFirst_AndSaysSo()
    {
        var unmet = NotReached();
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(unmet) };
        var a = plan.Add(Step("a"));
        var b = plan.Add(Step("b"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a", "make b", "verify", "undo b", "undo a"], _log);
        Assert.Equal([b, a], result.Undone);
        Assert.Empty(result.Failed);
        var error = Assert.Single(asker.Told.Failures);
        Assert.Equal((ErrorCatalog.ConfigurationNotReached, "eno49", "Look again."), (error.Id, error.Target, error.Remedy));
        Assert.Equal("eno49 Mtu is 1500, not 9000.\nTaken back, newest first:\n  b: do b\n  a: do a", error.Message);
        Assert.Same(unmet, error.InnerException);
        Assert.Equal(["b: do b: taken back.", "a: do a: taken back."], asker.Told.Notes.Where(n => n.EndsWith("taken back.")));
    }

    [Fact]
    public void StepsWithoutAnUndo_AreListedAsNotTakenBack()
    {
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(NotReached()) };
        plan.Add(Step("link", undoable: false));
        plan.Add(Step("file"));
        var asker = new ScriptedAsker();

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(
            "eno49 Mtu is 1500, not 9000.\nTaken back, newest first:\n  file: do file\nNOT taken back (still as the command left them):\n  link: do link",
            Assert.Single(asker.Told.Failures).Message);
        Assert.Equal(["link: do link was made and cannot be taken back."], asker.Told.Warnings);
    }

    [Fact]
    public void AnUndoThatFails_IsReported_AndItsStepListedAsNotTakenBack()
    {
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(NotReached()) };
        plan.Add(new PlanStep("vfs", "create 4 VFs", _ => null) { Undo = _ => throw new SriovException(ErrorCatalog.VfCountFailed, "busy", "vfs") });
        var asker = new ScriptedAsker();

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal([ErrorCatalog.ConfigurationNotReached, ErrorCatalog.VfCountFailed], asker.Told.Failures.Select(f => f.Id));
        Assert.EndsWith("\nNOT taken back (still as the command left them):\n  vfs: create 4 VFs", asker.Told.Failures[0].Message);
    }

    [Fact]
    public void AStepThatFails_WithNothingMadeBeforeIt_SaysNothingHadBeenChanged()
    {
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(null) };
        plan.Add(Step("a", apply: () => throw new SriovException(ErrorCatalog.VfCountFailed, "refused", "a")));
        var asker = new ScriptedAsker();

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal("refused\nNo step had been made before it.", Assert.Single(asker.Told.Failures).Message);
        Assert.DoesNotContain("verify", _log);
    }

    [Fact]
    public void AVerificationThatPasses_UndoesNothing()
    {
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(null) };
        var a = plan.Add(Step("a"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a", "verify"], _log);
        Assert.Equal([a], result.Made);
        Assert.True(result.WasMade(a));
        Assert.Empty(result.Undone);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void APlanThatDoesNotRollBack_FailsWithTheVerificationsErrorUnchanged()
    {
        var unmet = NotReached();
        var plan = new ChangePlan { SaysWhatWasTakenBack = true, Verify = Verify(unmet) };
        var a = plan.Add(Step("a"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Same(unmet, Assert.Single(asker.Told.Failures));
        Assert.Equal(["make a", "verify"], _log);
        Assert.True(result.WasMade(a));
        Assert.Empty(result.Undone);
    }

    [Fact]
    public void WithoutSayingWhatWasTakenBack_TheVerificationsErrorIsReportedAsItIs()
    {
        var unmet = NotReached();
        var plan = new ChangePlan { RollsBack = true, Verify = Verify(unmet) };
        plan.Add(Step("a"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Same(unmet, Assert.Single(asker.Told.Failures));
        Assert.Single(result.Undone);
    }

    [Fact]
    public void NothingAccepted_IsNotVerified()
    {
        var plan = new ChangePlan { RollsBack = true, Verify = Verify(NotReached()) };
        plan.Add(Step("a"));
        var asker = new ScriptedAsker(StepAnswer.No);

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(_log);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void ADeclinedStep_SkipsTheVerification_AndKeepsTheAcceptedSteps()
    {
        // A plan answered no in part is not expected to reach its end state: no error, nothing taken back.
        var plan = new ChangePlan { RollsBack = true, SaysWhatWasTakenBack = true, Verify = Verify(NotReached()) };
        var a = plan.Add(Step("a"));
        var b = plan.Add(Step("b"));
        var c = plan.Add(Step("c"));
        var asker = new ScriptedAsker(target => target == "b" ? StepAnswer.No : StepAnswer.Yes);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a", "make c"], _log);
        Assert.Equal([a, c], result.Made);
        Assert.Equal([b], result.Declined);
        Assert.Empty(result.Undone);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void ASecondQuestionAnsweredNo_IsADeclinedStep_AndSkipsTheVerification()
    {
        var plan = new ChangePlan { RollsBack = true, Verify = Verify(NotReached()) };
        var a = plan.Add(Step("a"));
        var b = plan.Add(new PlanStep("b", "re-create b", _ => null) { Question = "Destroy b's VFs?" });
        var asker = new ScriptedAsker { ConfirmsQuestions = false };

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["Destroy b's VFs?"], asker.Questions);
        Assert.Equal([b], result.Declined);
        Assert.True(result.WasMade(a));
        Assert.DoesNotContain("verify", _log);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void StepsShownUnderWhatIf_AreNeitherMadeNorVerified_NorCountedAsDeclined()
    {
        var plan = new ChangePlan { RollsBack = true, Verify = Verify(NotReached()) };
        var a = plan.Add(Step("a"));
        var asker = new ScriptedAsker(StepAnswer.WhatIf);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(_log);
        Assert.True(result.WasShown(a));
        Assert.Empty(result.Declined);
        Assert.Empty(asker.Told.Failures);
    }
}
