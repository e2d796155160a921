using System;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.VfSettings;

/// <summary>
/// What Set-SriovVf plans for each VF on a copied host tree (i350-4port: eno49 and eno50 with 7 VFs
/// each on igbvf): which VF is meant, the one-MAC-per-VF rule, the rebind, and the step a copied tree
/// shows under -WhatIf but cannot take.
/// </summary>
public sealed class VfSettingsPlannerTests : IDisposable
{
    private readonly HostTree _tree = HostTree.FromFixture("i350-4port");
    private readonly ScriptedAsker _asker = new();
    private readonly HostSession _session;

    public VfSettingsPlannerTests() => _session = new HostSession(HostContext.FromRoot(_tree.Root), _asker);

    public void Dispose()
    {
        _session.Dispose();
        _tree.Dispose();
    }

    private VfSettingsPlanner Planner(VfSettingsRequest request, bool rebind = false) => new(_session, request, rebind);

    private SriovPf Pf(string name) => _session.AllPfs().Single(p => p.Name == name);

    private PlannedVfSettings PlanOne(VfSettingsPlanner planner, string pf, int index) => Assert.Single(planner.ForNamed([Pf(pf)], [index]));

    private PlanResult Run(ChangePlan plan, ScriptedAsker asker) => PlanRunner.Run(plan, asker, _session);

    [Fact]
    public void ForNamed_PlansOneStepPerVf_ThatACopiedTreeShowsUnderWhatIf_AndRefusesAsLiveHostRequired()
    {
        var planner = Planner(VfSettingsRequest.Create(vlan: 42, trust: true));

        var planned = planner.ForNamed([Pf("eno49")], [0, 1]).ToList();

        Assert.Equal(2, planned.Count);
        var steps = planned.Select(p => Assert.Single(p.Plan.Steps)).ToList();
        Assert.Equal(["0000:04:10.0 (eno49 vf 0)", "0000:04:10.4 (eno49 vf 1)"], steps.Select(s => s.Target));
        Assert.Equal(["ip link set eno49 vf 0 vlan 42 trust on", "ip link set eno49 vf 1 vlan 42 trust on"], steps.Select(s => s.Action));
        Assert.All(steps, s => Assert.Equal(VfSettingsStep.LiveHostOnly, s.LiveHostOnly));

        var whatIf = new ScriptedAsker(StepAnswer.WhatIf);
        var shown = Run(planned[0].Plan, whatIf);
        var refusing = new ScriptedAsker();
        var refused = Run(planned[1].Plan, refusing);

        Assert.True(shown.WasShown(steps[0]));
        Assert.Empty(shown.Made);
        Assert.Empty(whatIf.Told.Failures);
        Assert.Null(planned[0].ReadBack(shown));
        Assert.Equal([steps[1]], refused.Failed);
        var failure = Assert.Single(refusing.Told.Failures);
        Assert.Equal(ErrorCatalog.LiveHostRequired, failure.Id);
        Assert.Equal(
            $"eno49 vf 1 belongs to the copied host tree '{_tree.Root}': VF settings can only be applied to the running kernel.",
            failure.Message);
        Assert.Null(planned[1].ReadBack(refused));
    }

    [Fact]
    public void Rebind_WhenTheInterfaceHasNoAdministrativeMacToTake_PlansNothing_SaysSo_AndReadsTheVfBack()
    {
        // A copied tree reports no administrative MAC, so there is none for the interface to take.
        var planned = PlanOne(Planner(VfSettingsRequest.Create(), rebind: true), "eno49", 0);

        Assert.Empty(planned.Plan.Steps);
        Assert.Equal(
            ["eno49 vf 0: its interface already carries the administrative MAC (or none is set); not rebound.", "eno49 vf 0: nothing to change, nothing sent."],
            planned.Plan.Report.Notes);
        Assert.Empty(planned.Plan.Report.Warnings);
        var result = Run(planned.Plan, _asker);
        Assert.Empty(_asker.Asked);
        Assert.Equal("0000:04:10.0", planned.ReadBack(result)?.PciAddress);
    }

    [Fact]
    public void Rebind_OfAnIdleInterfaceThatLacksTheNewMac_IsPartOfTheVfsStep()
    {
        _tree.WriteFile("/sys/class/net/enp4s16f0/flags", "0x1002\n");

        var planned = PlanOne(Planner(VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10"), rebind: true), "eno49", 0);

        var step = Assert.Single(planned.Plan.Steps);
        Assert.Equal("ip link set eno49 vf 0 mac 02:53:52:00:00:10, then rebind igbvf", step.Action);
        Assert.Empty(planned.Plan.Report.Warnings);
        Assert.Empty(planned.Plan.Report.Notes);
    }

    [Fact]
    public void Rebind_OfAnInterfaceThatIsUp_IsLeftOut_WithAWarningThatSaysWhy()
    {
        var planned = PlanOne(Planner(VfSettingsRequest.Create(macAddress: "02:53:52:00:00:11"), rebind: true), "eno49", 1);

        Assert.Equal("ip link set eno49 vf 1 mac 02:53:52:00:00:11", Assert.Single(planned.Plan.Steps).Action);
        Assert.StartsWith("eno49 vf 1 is not rebound: its interface enp4s16f4 is up", Assert.Single(planned.Plan.Report.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void OneMac_ForSeveralNamedVfs_IsRefusedBeforeAnyVfIsPlanned()
    {
        var planner = Planner(VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10"));

        var planned = Assert.Single(planner.ForNamed([Pf("eno49"), Pf("eno50")], [0]));

        Assert.Empty(planned.Plan.Steps);
        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal(ErrorCatalog.InvalidVfSetting, refusal.Id);
        Assert.Contains("this call names 2 VFs", refusal.Message, StringComparison.Ordinal);
        Assert.Null(planned.ReadBack(new PlanResult()));
    }

    [Fact]
    public void OneMac_ForASecondPipedVf_IsRefusedNamingBoth_WhileTheSameVfAgainIsPlanned()
    {
        var planner = Planner(VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10"));
        var vfs = _session.VfsOf(Pf("eno49"));

        var first = planner.ForPiped(vfs[0]);
        var again = planner.ForPiped(vfs[0]);
        var second = planner.ForPiped(vfs[1]);

        Assert.Single(first.Plan.Steps);
        Assert.Single(again.Plan.Steps);
        Assert.Empty(second.Plan.Steps);
        Assert.Equal(
            "-MacAddress gives one VF its MAC, and this call names 0000:04:00.0 vf 0 and eno49 vf 1: two VFs with one MAC break forwarding on the PF's switch. Set each VF's MAC in its own call.",
            Assert.Single(second.Plan.Report.Failures).Message);
    }

    [Fact]
    public void AVfNumberPastThePfsVfs_IsSriovVfNotFound_AndOnlyThatVfIsRefused()
    {
        var planned = Planner(VfSettingsRequest.Create(trust: true)).ForNamed([Pf("eno49")], [7, 5]).ToList();

        var missing = Assert.Single(planned[0].Plan.Report.Failures);
        Assert.Equal((ErrorCatalog.SriovVfNotFound, "eno49 has 7 VFs (0–6): there is no VF 7."), (missing.Id, missing.Message));
        Assert.Empty(planned[0].Plan.Steps);
        Assert.Single(planned[1].Plan.Steps);
    }

    [Fact]
    public void APipedVfWhosePfIsGone_IsSriovPfNotFound()
    {
        var gone = KernelLinkMapping.CreateVf("0000:99:00.0", "0000:99:10.0", "gone0", 0, null);

        var planned = Planner(VfSettingsRequest.Create(trust: true)).ForPiped(gone);

        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal((ErrorCatalog.SriovPfNotFound, "The PF 0000:99:00.0 of gone0 vf 0 is no longer an SR-IOV PF on this host."), (refusal.Id, refusal.Message));
        Assert.Empty(planned.Plan.Steps);
    }

    [Fact]
    public void APfWithoutAnInterface_IsPfInterfaceMissing_ForTheKernelChangesVfSettingsThroughIt()
    {
        var vf = _session.VfsOf(Pf("eno49"))[2];
        _tree.Delete("/sys/class/net/eno49");
        _tree.Delete("/sys/bus/pci/devices/0000:04:00.0/net");
        _session.ForgetPfs();
        using var fresh = new HostSession(HostContext.FromRoot(_tree.Root), new ScriptedAsker());

        var planned = new VfSettingsPlanner(fresh, VfSettingsRequest.Create(trust: true), rebind: false).ForPiped(vf);

        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal(ErrorCatalog.PfInterfaceMissing, refusal.Id);
        Assert.EndsWith("has no network interface in this namespace (driver: igb), and the kernel changes VF settings through the PF's interface.", refusal.Message, StringComparison.Ordinal);
    }
}
