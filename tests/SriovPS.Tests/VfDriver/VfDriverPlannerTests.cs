using System.Linq;
using SriovPS.Hosting;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.VfDriver;

/// <summary>Set-SriovVfDriver's steps on the seeds' I350: a step per VF that moves, then its PF's boot rules as the answers leave them.</summary>
public sealed class VfDriverPlannerTests
{
    private static (HostSession Session, (SriovPf, SriovVf)[] Targets) Open(HostTree tree, IHostReport report, params int[] indexes)
    {
        var session = new HostSession(HostContext.FromRoot(tree.Root), report);
        var eno49 = session.AllPfs().Single(p => p.Name == "eno49");
        return (session, session.VfsOf(eno49).Where(v => indexes.Contains(v.Index)).Select(v => (eno49, v)).ToArray());
    }

    [Fact]
    public void EachVfThatMoves_IsAStep_AndThePfsBootRulesFollowThem()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var (session, targets) = Open(tree, new HostReport(), 0, 1);

        var change = new VfDriverPlanner(session).For(targets, "vfio-pci", persist: true);

        Assert.Equal(["0000:04:10.0 (eno49 vf 0)", "0000:04:10.4 (eno49 vf 1)", UdevRulesFile.HostPath], change.Plan.Steps.Select(s => s.Target));
        Assert.Equal(change.Moves.Keys, change.Plan.Steps[2].After);
        Assert.All(change.Moves.Keys, s => Assert.NotNull(s.Undo));
        Assert.Empty(change.Unchanged);
    }

    [Fact]
    public void TheBootRules_NameOnlyTheMovesAccepted_AndAreNotAskedWhenNoneWas()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var asker = new ScriptedAsker(target => target.Contains("vf 1") ? StepAnswer.No : StepAnswer.WhatIf);
        var (session, targets) = Open(tree, asker, 0, 1);
        var change = new VfDriverPlanner(session).For(targets, "vfio-pci", persist: true);

        PlanRunner.Run(change.Plan, asker, session);

        Assert.Equal(UdevRulesFile.HostPath, asker.Asked[^1]);
        Assert.Equal("give eno49's VFs their drivers at boot (vf 0 → vfio-pci), with sriov_drivers_autoprobe 0 on eno49", asker.Actions[^1]);

        var none = new ScriptedAsker(StepAnswer.No);
        PlanRunner.Run(change.Plan, none, session);

        Assert.DoesNotContain(UdevRulesFile.HostPath, none.Asked);
    }

    [Fact]
    public void OnACopiedTree_TheMoveIsRefused_AndItsPfsRulesWithIt()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var asker = new ScriptedAsker();
        var (session, targets) = Open(tree, asker, 0);
        var change = new VfDriverPlanner(session).For(targets, "vfio-pci", persist: true);

        var result = PlanRunner.Run(change.Plan, asker, session);

        Assert.Empty(result.Made);
        Assert.StartsWith("0000:04:10.0 (eno49 vf 0) belongs to the copied host tree", Assert.Single(asker.Told.Failures).Message);
        Assert.False(System.IO.File.Exists(tree.PathOf(UdevRulesFile.HostPath)));
    }
}
