using System;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.PfSettings;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.PfSettings;

/// <summary>
/// Set-SriovPf's steps, planned on a copy of the I350 host: a copied tree has no kernel, so every kernel
/// setting asked is shown and refused once per PF when confirmed, while its network file is written into the tree.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PfSettingsPlannerTests : IDisposable
{
    private const string Target = "0000:04:00.0 (eno49)";
    private const string PfFile = "/etc/netplan/60-sriovps-eno49.yaml";
    private const string Autoprobe = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/sriov_drivers_autoprobe";

    private static readonly PfSettingsRequest LinkUpPersisted = new(LinkUp: true, Mtu: 9000, EswitchMode: null, DriversAutoprobe: null, Persist: true);

    private readonly HostTree _tree = HostTree.FromFixture("i350-4port");
    private readonly ScriptedAsker _asker = new();
    private readonly HostSession _session;

    public PfSettingsPlannerTests() => _session = new HostSession(HostContext.FromRoot(_tree.Root), _asker);

    public void Dispose()
    {
        _session.Dispose();
        _tree.Dispose();
    }

    private SriovPf Eno49 => _session.AllPfs().Single(p => p.Name == "eno49");

    private void DressAsNetplanHost()
    {
        _tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: true\n");
        _tree.WriteFile("/usr/sbin/netplan", "");
    }

    private ChangePlan Plan(PfSettingsRequest request) => new PfSettingsPlanner(_session, request).Plan(Eno49)!;

    [Fact]
    public void Plan_OnACopiedTree_ShowsEveryKernelSettingAsked_AndTheFileFollowingTheLink()
    {
        DressAsNetplanHost();

        var plan = Plan(new PfSettingsRequest(true, 9000, EswitchMode.Switchdev, false, Persist: true));

        Assert.Equal(
            [
                (Target, "ip link set eno49 mtu 9000 up"),
                (Target, "devlink dev eswitch set pci/0000:04:00.0 mode switchdev"),
                (Target, "set sriov_drivers_autoprobe to 0"),
                (PfFile, $"write {PfFile}: up, no address, MTU 9000"),
            ],
            plan.Steps.Select(s => (s.Target, s.Action)));
        Assert.All(plan.Steps.Take(3), s => Assert.Equal("PF settings can only be changed in the running kernel.", s.LiveHostOnly));
        Assert.Null(plan.Steps[3].LiveHostOnly);
        Assert.Equal([plan.Steps[0]], plan.Steps[3].After);
        Assert.Contains("The host's network is configured by netplan (/etc/netplan/50-cloud-init.yaml, /usr/sbin/netplan).", plan.Report.Notes);
    }

    [Fact]
    public void Run_OnACopiedTree_WritesTheFileIntoTheTree_AndRefusesTheKernelsPartOnce_NamingIt()
    {
        DressAsNetplanHost();
        var plan = Plan(LinkUpPersisted with { DriversAutoprobe = false });

        var result = PlanDriver.Run(plan, _tree.Root, _asker);

        Assert.Equal([plan.Steps[2]], result.Made);
        Assert.Matches("(?m)^      dhcp4: false$", File.ReadAllText(_tree.PathOf(PfFile)));
        Assert.Equal("1", File.ReadAllText(_tree.PathOf(Autoprobe)).Trim());
        var refusal = Assert.Single(_asker.Told.Failures);
        Assert.Equal(ErrorCatalog.LiveHostRequired, refusal.Id);
        Assert.Equal(
            $"eno49 belongs to the copied host tree '{_tree.Root}': PF settings can only be changed in the running kernel. Its network configuration was written in the tree: {PfFile}.",
            refusal.Message);
        Assert.Contains($"Wrote {PfFile} in the host tree (a previous version is kept as {PfFile}.sriovps.bak).", _asker.Told.Notes);
    }

    [Fact]
    public void Run_WhenTheLinkChangeIsDeclined_TheFileIsNeitherAskedAboutNorWritten()
    {
        DressAsNetplanHost();
        var asker = new ScriptedAsker(target => target == Target ? StepAnswer.No : StepAnswer.Yes);

        var result = PlanDriver.Run(Plan(LinkUpPersisted), _tree.Root, asker);

        Assert.Equal([Target], asker.Asked);
        Assert.Empty(result.Made);
        Assert.Empty(asker.Told.Failures);
        Assert.False(File.Exists(_tree.PathOf(PfFile)));
    }

    [Fact]
    public void Plan_WhenThePfAlreadyHasTheAutoprobeAsked_HasNoStep_AndSaysSo()
    {
        var plan = Plan(new PfSettingsRequest(null, null, null, DriversAutoprobe: true));

        Assert.Empty(plan.Steps);
        Assert.Equal(["eno49 already has sriov_drivers_autoprobe 1: nothing written."], plan.Report.Notes);
    }

    [Fact]
    public void Plan_WhenTheTreesFileAlreadySaysSo_HasNoFileStep_AndSaysItIsNotWritten()
    {
        DressAsNetplanHost();
        PlanDriver.Run(Plan(LinkUpPersisted), _tree.Root);

        var again = Plan(LinkUpPersisted);

        Assert.Equal([Target], again.Steps.Select(s => s.Target));
        Assert.Contains($"{PfFile} already says: up, no address, MTU 9000: not written.", again.Report.Notes);
    }

    [Fact]
    public void Plan_WithoutANetworkManager_WarnsThatPersistWritesNothing()
    {
        var plan = Plan(LinkUpPersisted);

        Assert.Equal([Target], plan.Steps.Select(s => s.Target));
        Assert.StartsWith("-Persist wrote nothing: this host has no network manager", Assert.Single(plan.Report.Warnings));
    }

    [Fact]
    public void Plan_BesideAnotherConfigurationOfThePf_IsRefusedBeforeAnythingIsAsked_UnlessForced()
    {
        DressAsNetplanHost();
        _tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    eno49:\n      dhcp4: true\n");

        var refusal = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => Plan(LinkUpPersisted));
        var forced = Plan(LinkUpPersisted with { Force = true });

        Assert.Equal(ErrorCatalog.NetworkConfigConflict, refusal.Id);
        Assert.Equal([Target, PfFile], forced.Steps.Select(s => s.Target));
        Assert.StartsWith("-Force: eno49 is configured elsewhere too (/etc/netplan/50-cloud-init.yaml", forced.Report.Notes[0]);
    }

    [Fact]
    public void Plan_OfTheLink_ForAPfWithoutAnInterface_IsPfInterfaceMissing()
    {
        using var tree = HostTree.FromFixture("e810-nodriver");
        using var session = new HostSession(HostContext.FromRoot(tree.Root), new ScriptedAsker());
        var pf = Assert.Single(session.AllPfs());

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => new PfSettingsPlanner(session, new PfSettingsRequest(null, 9000, null, null)).Plan(pf));

        Assert.Equal(ErrorCatalog.PfInterfaceMissing, error.Id);
        Assert.EndsWith("so its link and MTU cannot be set.", error.Message);
    }

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData(null, null, false, true)]
    [InlineData(null, 10, null, false)]
    public void ARequest_ThatNamesNothing_PersistsNothing_OrHasNoMtu_IsInvalidPfSetting(bool? up, int? mtu, bool? autoprobe, bool persist)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => new PfSettingsPlanner(_session, new PfSettingsRequest(up, mtu, null, autoprobe, persist)));

        Assert.Equal(ErrorCatalog.InvalidPfSetting, error.Id);
    }

    [Fact]
    public void TheAutoprobeStep_IsTakenBack_ToTheValueItFound()
    {
        var step = Assert.Single(Plan(new PfSettingsRequest(null, null, null, DriversAutoprobe: false)).Steps);

        // Made directly: the runner leaves a copied tree's sysfs to the running kernel.
        step.Apply(PlanDriver.Context());
        Assert.Equal("0", File.ReadAllText(_tree.PathOf(Autoprobe)).Trim());
        step.Undo!(PlanDriver.Context());

        Assert.Equal("1", File.ReadAllText(_tree.PathOf(Autoprobe)).Trim());
    }

    [Fact]
    public void TheFileStep_IsTakenBack_ToTheTextItReplaced()
    {
        DressAsNetplanHost();
        PlanDriver.Run(Plan(LinkUpPersisted with { Mtu = 1500 }), _tree.Root);
        string before = File.ReadAllText(_tree.PathOf(PfFile));
        var plan = Plan(LinkUpPersisted);
        PlanDriver.Run(plan, _tree.Root);
        Assert.Contains("mtu: 9000", File.ReadAllText(_tree.PathOf(PfFile)));

        plan.Steps[1].Undo!(PlanDriver.Context());

        Assert.Equal(before, File.ReadAllText(_tree.PathOf(PfFile)));
    }

    [Fact]
    public void TheFileStep_OfANewFile_IsTakenBack_ByRemovingIt()
    {
        DressAsNetplanHost();
        var plan = Plan(LinkUpPersisted);
        PlanDriver.Run(plan, _tree.Root);
        Assert.True(File.Exists(_tree.PathOf(PfFile)));

        plan.Steps[1].Undo!(PlanDriver.Context());

        Assert.False(File.Exists(_tree.PathOf(PfFile)));
    }
}
