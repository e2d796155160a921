using System.IO;
using System.Linq;
using SriovPS.Hosting;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.VfCount;

/// <summary>
/// Enable-SriovVf's and Disable-SriovVf's steps on the seeds' I350 (7 VFs on each PF): what is asked, in
/// which order and after what, and what a copied tree refuses.
/// </summary>
public sealed class VfCountPlannerTests
{
    private static (HostSession Session, SriovPf Eno49) Open(HostTree tree, ScriptedAsker asker)
    {
        var session = new HostSession(HostContext.FromRoot(tree.Root), asker);
        return (session, session.AllPfs().Single(p => p.Name == "eno49"));
    }

    [Fact]
    public void ANewCount_WithPersist_AsksForTheVfsThenTheirLine_AndAsksOnceMoreBeforeDestroyingThem()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var asker = new ScriptedAsker();
        var (session, eno49) = Open(tree, asker);

        var change = new VfCountPlanner(session, new VfCountRequest(3, Persist: true)).For(eno49);

        Assert.Equal(["0000:04:00.0 (eno49)", UdevRulesFile.HostPath], change.Plan.Steps.Select(s => s.Target));
        var count = Assert.IsType<PlanStep>(change.CountStep);
        Assert.Equal("re-create its VFs, 7 → 3 (all 7 present VFs are destroyed first)", count.Action);
        Assert.StartsWith("eno49 has 7 VFs. The kernel cannot change that number in place", count.Question);
        Assert.NotNull(count.Undo);
        var rules = change.Plan.Steps[1];
        Assert.Same(count, Assert.Single(rules.After));
        Assert.Equal(
            "create 3 VFs on eno49 (0000:04:00.0) at boot: ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"3\"",
            rules.Action);
        Assert.NotNull(rules.Prepare);
    }

    [Fact]
    public void Force_AndDisable_AskNoSecondQuestion()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var (session, eno49) = Open(tree, new ScriptedAsker());

        Assert.Null(new VfCountPlanner(session, new VfCountRequest(3, AskBeforeDestroying: false)).For(eno49).CountStep!.Question);
        Assert.Null(new VfCountPlanner(session, new VfCountRequest(0, Disables: true, AskBeforeDestroying: false)).For(eno49).CountStep!.Question);
        Assert.Contains("all of them are destroyed", new VfCountPlanner(session, new VfCountRequest(0, Disables: true)).For(eno49).CountStep!.Question);
    }

    [Fact]
    public void TheCountThePfHas_IsNoStep_AndSaysSo()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var (session, eno49) = Open(tree, new ScriptedAsker());

        var change = new VfCountPlanner(session, new VfCountRequest(7)).For(eno49);

        Assert.Null(change.CountStep);
        Assert.Empty(change.Plan.Steps);
        Assert.Equal(["eno49 already has 7 VFs: nothing written."], change.Plan.Report.Notes);
    }

    [Fact]
    public void OnACopiedTree_TheChangeIsRefusedOnce_NamingThePf_AndTheRulesFileIsNotWritten()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var asker = new ScriptedAsker();
        var (session, eno49) = Open(tree, asker);
        var change = new VfCountPlanner(session, new VfCountRequest(3, Persist: true)).For(eno49);

        var result = PlanRunner.Run(change.Plan, asker, session);

        Assert.Empty(result.Made);
        var refusal = Assert.Single(asker.Told.Failures);
        Assert.StartsWith($"eno49 belongs to the copied host tree '{tree.Root}': VFs can only be created and removed by the running kernel.", refusal.Message);
        Assert.False(File.Exists(tree.PathOf(UdevRulesFile.HostPath)));
        Assert.Equal("7", File.ReadAllText(tree.PathOf("/sys/bus/pci/devices/0000:04:00.0/sriov_numvfs")).Trim());
    }

    [Fact]
    public void UnderWhatIf_BothStepsAreShown_AndNothingChanges()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var asker = new ScriptedAsker(StepAnswer.WhatIf);
        var (session, eno49) = Open(tree, asker);
        var change = new VfCountPlanner(session, new VfCountRequest(0, Disables: true, Persist: true)).For(eno49);

        var result = PlanRunner.Run(change.Plan, asker, session);

        Assert.Equal(["0000:04:00.0 (eno49)"], asker.Asked);
        Assert.Empty(result.Made);
        Assert.Contains($"{UdevRulesFile.HostPath} has no line for eno49: nothing to remove.", asker.Told.Notes);
    }
}
