using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Plans;

public sealed class PlanRunnerTests : IDisposable
{
    private readonly HostTree _tree = HostTree.Empty();
    private readonly List<string> _log = [];

    public void Dispose() => _tree.Dispose();

    private PlanStep? Edit(ChangePlan plan, string hostPath, string text, IReadOnlyList<PlanStep>? after = null)
    {
        var file = new ConfigFile(_tree.Files, hostPath);
        return plan.AddEdit(new HostFileEdit(file, file.ReadText(), text, $"write {hostPath}", rebootRequired: false), after);
    }

    private PlanStep Step(string name, Action? apply = null, IReadOnlyList<PlanStep>? after = null, bool undoable = true) => new(name, $"do {name}", _ =>
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
    public void AFailingStep_InAPlanThatRollsBack_UndoesTheStepsBeforeIt_NewestFirst_AndMakesNoMore()
    {
        _tree.WriteFile("/etc/first.conf", "old first\n");
        var plan = new ChangePlan { RollsBack = true };
        var first = Edit(plan, "/etc/first.conf", "new first\n")!;
        var second = Edit(plan, "/etc/second.conf", "new second\n")!;
        var count = plan.Add(Step("vfs"));
        var failing = plan.Add(Step("driver", () => throw Refused("driver")));
        var never = plan.Add(Step("never"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal([first, second, count], result.Made);
        Assert.Equal([failing], result.Failed);
        Assert.Equal([count, second, first], result.Undone);
        Assert.DoesNotContain(never, result.Made);
        Assert.Equal(["make vfs", "make driver", "undo vfs"], _log);
        Assert.Equal("old first\n", File.ReadAllText(_tree.PathOf("/etc/first.conf")));
        Assert.False(File.Exists(_tree.PathOf("/etc/second.conf")));
        Assert.Empty(result.Changes);
        Assert.Equal(ErrorCatalog.VfCountFailed, Assert.Single(asker.Told.Failures).Id);
        Assert.Contains(asker.Told.Notes, n => n == "/etc/first.conf: write /etc/first.conf: taken back.");
    }

    [Fact]
    public void AStepThatCannotBeTakenBack_IsWarnedOf_WhenAPlanRollsBack()
    {
        var plan = new ChangePlan { RollsBack = true };
        plan.Add(Step("vfs", undoable: false));
        plan.Add(Step("driver", () => throw Refused("driver")));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(result.Undone);
        Assert.Equal("vfs: do vfs was made and cannot be taken back.", Assert.Single(asker.Told.Warnings));
    }

    [Fact]
    public void AFailingStep_InAPlanThatKeepsWhatWasMade_SkipsOnlyTheStepsThatFollowIt()
    {
        var plan = new ChangePlan();
        var link = plan.Add(Step("link", () => throw Refused("link")));
        plan.Add(Step("boot file", after: [link]));
        plan.Add(Step("modules"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make link", "make modules"], _log);
        Assert.Equal(["modules"], result.Made.Select(s => s.Target));
        Assert.Empty(result.Undone);
        Assert.Single(asker.Told.Failures);
    }

    [Fact]
    public void EveryStepIsAsked_BeforeAnyIsMade()
    {
        var plan = new ChangePlan();
        var asker = new ScriptedAsker();
        plan.Add(Step("a", () => _log.Add($"asked {asker.Asked.Count}")));
        plan.Add(Step("b"));

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["make a", "asked 2", "make b"], _log);
    }

    [Fact]
    public void ADeclinedStep_IsNotMade_NorAreTheStepsThatFollowIt_WhichAreNotEvenAsked()
    {
        var plan = new ChangePlan();
        var grub = plan.Add(Step("grub"));
        plan.Add(Step("regenerate", after: [grub]));
        plan.Add(Step("modules"));
        var asker = new ScriptedAsker(target => target == "grub" ? StepAnswer.No : StepAnswer.Yes);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["grub", "modules"], asker.Asked);
        Assert.Equal(["make modules"], _log);
        Assert.Equal(["modules"], result.Made.Select(s => s.Target));
    }

    [Fact]
    public void UnderWhatIf_NothingIsMade_ButTheStepsThatFollowAreShownToo()
    {
        var plan = new ChangePlan();
        var grub = plan.Add(Step("grub"));
        var regenerate = plan.Add(Step("regenerate", after: [grub]));
        var asker = new ScriptedAsker(StepAnswer.WhatIf);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["grub", "regenerate"], asker.Asked);
        Assert.Empty(_log);
        Assert.Empty(result.Made);
        Assert.True(result.WasShown(regenerate));
        Assert.False(Directory.Exists(_tree.PathOf("/run/lock")));
    }

    [Fact]
    public void ASecondQuestionDeclined_LeavesTheStepUnmade()
    {
        var plan = new ChangePlan();
        var destroy = plan.Add(new PlanStep("eno49", "destroy 7 VFs", _ =>
        {
            _log.Add("made");
            return null;
        })
        { Question = "All 7 are destroyed. Continue?", QuestionCaption = "Re-create VFs" });
        var asker = new ScriptedAsker { ConfirmsQuestions = false };

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["All 7 are destroyed. Continue?"], asker.Questions);
        Assert.Empty(_log);
        Assert.DoesNotContain(destroy, result.Made);
    }

    [Fact]
    public void AHostThatCannotAsk_StopsTheQuestions_AndOnlyTheStepsAcceptedBeforeAreMade()
    {
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        plan.Add(Step("b"));
        plan.Add(Step("c"));
        var unavailable = new SriovException(ErrorCatalog.ConfirmationUnavailable, "b: cannot ask.", "b");
        var asker = new ScriptedAsker(target => target == "b" ? throw unavailable : StepAnswer.Yes);

        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["a", "b"], asker.Asked);
        Assert.Equal(["make a"], _log);
        Assert.Same(unavailable, Assert.Single(asker.Told.Failures));
    }

    [Fact]
    public void AModuleFileThatCannotBePrepared_LeavesEveryStepUnmade()
    {
        var plan = new ChangePlan();
        plan.Add(Step("vfs"));
        plan.Add(new PlanStep("/etc/udev/rules.d/70-sriovps.rules", "create 7 VFs at boot", _ => null)
        {
            Prepare = () => throw new SriovException(ErrorCatalog.ConfigFileReadOnly, "read-only", "/etc/udev/rules.d/70-sriovps.rules"),
        });
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(_log);
        Assert.Empty(result.Made);
        Assert.Equal(ErrorCatalog.ConfigFileReadOnly, Assert.Single(asker.Told.Failures).Id);
    }

    [Fact]
    public void APreparedFile_IsHandedToItsStep_AndReleasedAfterTheRun()
    {
        var prepared = new Released();
        IDisposable? seen = null;
        var plan = new ChangePlan();
        plan.Add(new PlanStep("/etc/x", "write x", context =>
        {
            seen = context.Prepared;
            return null;
        })
        { Prepare = () => prepared });

        PlanDriver.Run(plan, _tree.Root);

        Assert.Same(prepared, seen);
        Assert.True(prepared.Disposed);
    }

    [Fact]
    public void OnACopiedTree_AStepOnlyTheRunningKernelCanMake_IsRefused_AndTheOthersMade()
    {
        var plan = new ChangePlan();
        plan.Add(new PlanStep("eno49", "create 7 VFs", _ => null) { LiveHostOnly = "VFs can only be created by the running kernel." });
        plan.Add(Step("file"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(["file"], result.Made.Select(s => s.Target));
        var refusal = Assert.Single(asker.Told.Failures);
        Assert.Equal(ErrorCatalog.LiveHostRequired, refusal.Id);
        Assert.StartsWith($"eno49 belongs to the copied host tree '{_tree.Root}': VFs can only be created by the running kernel.", refusal.Message);
    }

    [Fact]
    public void OnACopiedTree_APlanWithOneRefusal_MakesTheTreesStepsFirst_ThoseFollowingAKernelStepToo_ThenRefusesOnce()
    {
        var link = new PlanStep("eno49", "ip link set eno49 up", _ => null) { LiveHostOnly = "only the kernel." };
        var autoprobe = new PlanStep("eno49", "set sriov_drivers_autoprobe to 0", _ => null) { LiveHostOnly = "only the kernel." };
        var plan = new ChangePlan
        {
            LiveHostRefusal = result => new SriovException(
                ErrorCatalog.LiveHostRequired, $"eno49: {result.Failed.Count} refused, the file {(result.Made.Count == 1 ? "written" : "not written")}.", "eno49"),
        };
        plan.Add(link);
        plan.Add(autoprobe);
        var file = plan.Add(Step("file", after: [link]));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal([file], result.Made);
        Assert.Equal([link, autoprobe], result.Failed);
        Assert.Equal("eno49: 2 refused, the file written.", Assert.Single(asker.Told.Failures).Message);
    }

    [Fact]
    public void OnACopiedTree_APlanWithOneRefusal_SaysNothing_WhenNoKernelStepWasAccepted()
    {
        var plan = new ChangePlan { LiveHostRefusal = _ => throw new InvalidOperationException("not asked for") };
        var link = plan.Add(new PlanStep("eno49", "ip link set eno49 up", _ => null) { LiveHostOnly = "only the kernel." });
        plan.Add(Step("file", after: [link]));
        var asker = new ScriptedAsker(StepAnswer.WhatIf);

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(result.Failed);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void StepsAreMade_UnderTheHostsChangeLock()
    {
        var plan = new ChangePlan();
        SriovException? busy = null;
        plan.Add(Step("a", () => busy = Assert.Throws<SriovException>(() => HostChangeLock.Acquire(_tree.Files, TimeSpan.Zero))));

        PlanDriver.Run(plan, _tree.Root);

        Assert.Equal(ErrorCatalog.HostChangeInProgress, busy?.Id);
        HostChangeLock.Acquire(_tree.Files, TimeSpan.Zero).Dispose();
    }

    [Fact]
    public void APlanThatStopsAtItsFirstFailure_MakesNothingAfterIt()
    {
        var plan = new ChangePlan { StopsAtFirstFailure = true };
        plan.Add(Step("link", () => throw Refused("link")));
        plan.Add(Step("eswitch"));

        var result = PlanDriver.Run(plan, _tree.Root);

        Assert.Equal(["make link"], _log);
        Assert.Empty(result.Made);
    }

    [Fact]
    public void WhenTheLockCannotBeTaken_NothingIsMade_AndEveryAcceptedStepFailed()
    {
        _tree.WriteFile("/run/lock", "a file where the lock's directory belongs\n");
        var plan = new ChangePlan();
        var step = plan.Add(Step("a"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Empty(_log);
        Assert.Equal([step], result.Failed);
        Assert.Equal(ErrorCatalog.HostPathWrongType, Assert.Single(asker.Told.Failures).Id);
    }

    [Fact]
    public void ACommandStoppedWhileItWaitsForTheLock_MakesNothing()
    {
        using var holder = HostChangeLock.Acquire(_tree.Files, TimeSpan.Zero);
        var plan = new ChangePlan();
        plan.Add(Step("a"));
        var asker = new ScriptedAsker();
        using var stop = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        using var session = new HostSession(HostContext.FromRoot(_tree.Root), asker, stop.Token);

        Assert.ThrowsAny<OperationCanceledException>(() => PlanRunner.Run(plan, asker, session));
        Assert.Empty(_log);
    }

    [Fact]
    public void APlanThatTakesNoHostLock_IsMadeWhileAnotherCommandHoldsIt()
    {
        using var holder = HostChangeLock.Acquire(_tree.Files, TimeSpan.Zero);
        var plan = new ChangePlan { TakesHostLock = false };
        plan.Add(Step("define network"));

        var result = PlanDriver.Run(plan, _tree.Root);

        Assert.Equal(["make define network"], _log);
        Assert.Single(result.Made);
    }

    [Fact]
    public void AnUndo_IsMadeEvenWhenTheFirstErrorReportedWouldEndTheCommand()
    {
        // Under -ErrorAction Stop, WriteError throws: what a rollback reports is told once it is over.
        var plan = new ChangePlan { RollsBack = true };
        plan.Add(Step("vfs"));
        plan.Add(Step("driver", () => throw Refused("driver")));
        var asker = new StoppingAsker();

        Assert.Throws<InvalidOperationException>(() => PlanDriver.Run(plan, _tree.Root, asker));
        Assert.Equal(["make vfs", "make driver", "undo vfs"], _log);
    }

    [Fact]
    public void AnActionWorkedOutFromTheAnswers_IsWhatIsAsked_AndNothingLeftToDoIsNotAsked()
    {
        var plan = new ChangePlan();
        var move = plan.Add(Step("vf 0"));
        var rules = plan.Add(new PlanStep("rules", "write the rules", _ => null)
        {
            ActionFromAnswers = answers => answers.WasAcceptedOrShown(move) ? "give vf 0 vfio-pci at boot" : null,
        });
        var saidYes = new ScriptedAsker();
        var saidNo = new ScriptedAsker(target => target == "vf 0" ? StepAnswer.No : StepAnswer.Yes);

        PlanDriver.Run(plan, _tree.Root, saidYes);
        var declined = PlanDriver.Run(plan, _tree.Root, saidNo);

        Assert.Equal(["vf 0", "rules"], saidYes.Asked);
        Assert.Equal(["vf 0"], saidNo.Asked);
        Assert.DoesNotContain(rules, declined.Made);
    }

    /// <summary>A user whose first reported error ends the command, as -ErrorAction Stop does.</summary>
    private sealed class StoppingAsker : IChangeAsker
    {
        public StepAnswer Ask(string target, string action) => StepAnswer.Yes;

        public bool Confirm(string target, string question, string caption) => true;

        public void Progress(string target, string status, int percent, bool completed)
        {
        }

        public void Note(string note)
        {
        }

        public void Warn(string warning)
        {
        }

        public void Fail(SriovException failure) => throw new InvalidOperationException(failure.Message);
    }

    private sealed class Released : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
