using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// Set-SriovConfiguration's plan on copied host trees: each PF's steps in a safe order, what an earlier
/// step creates followed by the steps on it, refusals collected before anything is asked.
/// </summary>
public sealed class ConfigurationPlannerTests
{
    private const string Vf0 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0";

    private static string Row(PlanStep step) => $"{step.Target} | {step.Action.Split('\n')[0]}";

    /// <summary>The seeds' I350 with eno49's VF 0 on vfio-pci and open in a guest's QEMU.</summary>
    private static void HoldVf0(HostTree tree)
    {
        tree.Delete(Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Vf0 + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        tree.Delete(Vf0 + "/net");
        tree.Delete("/sys/class/net/enp4s16f0");
        tree.WriteFile("/proc/4242/cmdline", "qemu-system-x86_64\0-name\0guest=vm1\0");
        Directory.CreateDirectory(tree.PathOf("/proc/4242/fd"));
        File.CreateSymbolicLink(tree.PathOf("/proc/4242/fd/23"), "/dev/vfio/39");
    }

    [Fact]
    public void EachPfsSteps_ComeInOrder_CountThenDriversThenSettingsThenLink_ThenTheBootFiles()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (plan, refusals) = host.Plan("""
            {"pfs":[{"match":{"name":"eno49"},"numVfs":4,"driversAutoprobe":false,"linkState":"up","mtu":9000,"persist":true,
                     "vfs":[{"index":0,"driver":"vfio-pci"},{"index":"1-3","vlan":10,"trust":true,"mac":"auto"}]},
                    {"match":{"name":"eno50"},"mtu":9000,"vfs":[{"index":0,"driver":"vfio-pci"},{"index":"1-3","vlan":10}]}],
             "boot":{"vfioModules":true}}
            """);

        Assert.Empty(refusals);
        Assert.Equal(
            ["0000:04:00.0 (eno49) | set sriov_drivers_autoprobe to 0, then re-create its VFs, 7 → 4 (all 7 present VFs are destroyed first)",
             "/etc/udev/rules.d/70-sriovps.rules | create 4 VFs on eno49 (0000:04:00.0) at boot: ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_drivers_autoprobe}=\"0\", ATTR{device/sriov_numvfs}=\"4\"",
             "0000:04:00.0 (eno49) | bind the new VFs of eno49 to their drivers, kept at boot:",
             "0000:04:00.0 (eno49) | set 3 VFs of eno49:",
             "0000:04:00.0 (eno49) | ip link set eno49 mtu 9000 up",
             "0000:04:10.1 (eno50 vf 0) | bind to vfio-pci (now igbvf): driver_override=vfio-pci, unbind from igbvf, drivers_probe",
             "0000:04:00.1 (eno50) | set 3 VFs of eno50:",
             "0000:04:00.1 (eno50) | ip link set eno50 mtu 9000",
             "/etc/modules-load.d/vfio.conf | create: load vfio vfio_iommu_type1 vfio_pci at boot (or now: modprobe vfio-pci)"],
            plan.Steps.Select(Row));
        var count = plan.Steps[0];
        Assert.All(plan.Steps.Skip(1).Take(3), s => Assert.Same(count, Assert.Single(s.After)));
        Assert.All(plan.Steps.Skip(4), s => Assert.Empty(s.After));
        Assert.Equal("bind the new VFs of eno49 to their drivers, kept at boot:\n  vf 0 → vfio-pci", plan.Steps[2].Action);
        Assert.Equal(
            "set 3 VFs of eno49:\n  ip link set eno49 vf 1 vlan 10 mac 32:5e:0f:a0:00:01 trust on\n  ip link set eno49 vf 2 vlan 10 mac 32:5e:0f:a0:00:02 trust on\n  ip link set eno49 vf 3 vlan 10 mac 32:5e:0f:a0:00:03 trust on",
            plan.Steps[3].Action);
        Assert.True(plan.RollsBack && plan.StopsAtFirstFailure && plan.SaysWhatWasTakenBack);
        Assert.NotNull(plan.Verify);
    }

    [Fact]
    public void TheEswitchMode_IsSetBeforeTheVfsAreCreated()
    {
        using var host = new ConfiguredHost("connectx5");

        var (plan, refusals) = host.Plan("""{"pfs":[{"match":{"name":"enp10s0f0np0"},"numVfs":4,"eswitchMode":"switchdev"}]}""");

        Assert.Empty(refusals);
        Assert.Equal(
            ["0000:0a:00.0 (enp10s0f0np0) | devlink dev eswitch set pci/0000:0a:00.0 mode switchdev",
             "0000:0a:00.0 (enp10s0f0np0) | re-create its VFs, 8 → 4 (all 8 present VFs are destroyed first)"],
            plan.Steps.Select(Row));
    }

    [Fact]
    public void ReCreatingVfs_AsksOnceMore_UnlessForced()
    {
        using var host = new ConfiguredHost("i350-4port");
        const string json = """{"pfs":[{"match":{"name":"eno49"},"numVfs":3}]}""";

        Assert.StartsWith("eno49 has 7 VFs. The kernel cannot change that number in place", host.Plan(json).Plan.Steps.Single().Question);
        Assert.Null(host.Plan(json, force: true).Plan.Steps.Single().Question);
    }

    [Fact]
    public void OnlyAutoprobeChanging_KeepsTheVfs_AndTheirStepsFollowNothing()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (plan, refusals) = host.Plan("""
            {"pfs":[{"match":{"name":"eno49"},"driversAutoprobe":false,"vfs":[{"index":2,"driver":"vfio-pci"},{"index":3,"vlan":5}]}]}
            """);

        Assert.Empty(refusals);
        Assert.Equal(
            ["0000:04:00.0 (eno49) | set sriov_drivers_autoprobe to 0",
             "0000:04:11.0 (eno49 vf 2) | bind to vfio-pci (now igbvf): driver_override=vfio-pci, unbind from igbvf, drivers_probe",
             "0000:04:00.0 (eno49) | set 1 VF of eno49:"],
            plan.Steps.Select(Row));
        Assert.All(plan.Steps, s => Assert.Empty(s.After));
        Assert.All(plan.Steps, s => Assert.NotNull(s.LiveHostOnly));
    }

    [Theory]
    [InlineData("i350-4port")]
    [InlineData("lab-igb")]
    [InlineData("connectx5")]
    [InlineData("x540-2port")]
    [InlineData("iommu-off")]
    [InlineData("e810-nodriver")]
    public void GetsOwnDocument_PlansNoStep(string fixture)
    {
        using var host = new ConfiguredHost(fixture);
        string json = new HostConfigurationWriter(host.Session, CallbackReport.Throwing).Write(host.Session.AllPfs(), "SriovPS.Configuration.schema.json");

        var (plan, refusals) = host.Plan(json);
        var asker = new ScriptedAsker(StepAnswer.WhatIf);
        PlanRunner.Run(plan, asker, host.Session);

        Assert.Empty(refusals.Select(r => r.Message));
        Assert.Empty(plan.Steps.Where(s => s.ActionFromAnswers is null).Select(Row));
        Assert.Empty(asker.Asked);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void ACountChange_WhileAVfIsHeld_IsRefusedAsVfsInUse_AndTheFacadeGivesNoPlan()
    {
        using var host = new ConfiguredHost("i350-4port", HoldVf0);
        const string json = """{"pfs":[{"match":{"name":"eno49"},"numVfs":3},{"match":{"name":"eno50"},"numVfs":3}]}""";

        var (_, refusals) = host.Plan(json);

        var refusal = Assert.Single(refusals);
        Assert.Equal((ErrorCatalog.VfsInUse, SriovErrorCategory.ResourceBusy), (refusal.Id, refusal.Category));
        Assert.Contains("PID 4242 (qemu-system-x86_64 -name guest=vm1) has /dev/vfio/39 open", refusal.Message);

        var configuration = new SriovConfiguration(host.Session);
        var problems = new List<SriovException>();
        var desired = configuration.Resolve(json, problems)!;
        var collected = new List<SriovException>();
        Assert.Null(configuration.Plan(desired, force: true, rollBack: true, collected));
        Assert.Equal([ErrorCatalog.VfsInUse], collected.Select(r => r.Id));
    }

    [Fact]
    public void MovingAHeldVfOffVfio_IsRefusedAsVfsInUse()
    {
        using var host = new ConfiguredHost("i350-4port", HoldVf0);

        var (_, refusals) = host.Plan("""{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"driver":"default"}]}]}""");

        Assert.Equal([ErrorCatalog.VfsInUse], refusals.Select(r => r.Id));
    }

    [Fact]
    public void Pools_AndAppArmor_OnACopiedTree_AreWarnedNotPlanned_AndTheOtherStepsArePlanned()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (plan, refusals) = host.Plan("""
            {"pfs":[{"match":{"name":"eno49"},"mtu":9000}],
             "pools":[{"name":"sriov-net","pfs":["eno49"]},{"name":"other","pfs":["eno50"]}],
             "boot":{"appArmor":true,"vfioModules":true}}
            """);

        Assert.Empty(refusals.Select(r => r.Message));
        Assert.Equal(
            ["The pool 'sriov-net' (pools[0]) is not planned: libvirt is not read for a copied host tree.",
             "The pool 'other' (pools[1]) is not planned: libvirt is not read for a copied host tree.",
             "boot.appArmor is not planned: the rules are for the VFs this machine's pools hand out, and libvirt is not read for a copied host tree."],
            plan.Report.Warnings);
        Assert.Equal(
            ["0000:04:00.0 (eno49) | ip link set eno49 mtu 9000",
             "/etc/modules-load.d/vfio.conf | create: load vfio vfio_iommu_type1 vfio_pci at boot (or now: modprobe vfio-pci)"],
            plan.Steps.Select(Row));
    }

    [Fact]
    public void Pools_OnACopiedTree_AreWarnedOnce_WhenThePlanIsShownUnderWhatIf()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (plan, _) = host.Plan("""{"pools":[{"name":"sriov-net","pfs":["eno49"]}]}""");
        var asker = new ScriptedAsker(StepAnswer.WhatIf);

        PlanRunner.Run(plan, asker, host.Session);

        Assert.Empty(plan.Steps);
        Assert.Equal(["The pool 'sriov-net' (pools[0]) is not planned: libvirt is not read for a copied host tree."], asker.Told.Warnings);
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void AnEswitchMode_OnACopiedTree_IsShownAsItsDevlinkStep_WhateverTheDriverReports()
    {
        // Only the live host can tell a driver without an eswitch (skipped for legacy, refused for switchdev).
        using var host = new ConfiguredHost("i350-4port");

        var (plan, refusals) = host.Plan("""{"pfs":[{"match":{"name":"eno49"},"eswitchMode":"switchdev"}]}""");

        Assert.Empty(refusals);
        Assert.Equal(["0000:04:00.0 (eno49) | devlink dev eswitch set pci/0000:04:00.0 mode switchdev"], plan.Steps.Select(Row));
        Assert.NotNull(Assert.Single(plan.Steps).LiveHostOnly);
    }

    [Fact]
    public void APfLinkAsAsked_OnACopiedTree_PlansNoStep_AsTestFindsNoDrift()
    {
        // eno49's sysfs says mtu 1500 and IFF_UP: Test-SriovConfiguration reports nothing to do.
        using var host = new ConfiguredHost("i350-4port");
        const string json = """{"pfs":[{"match":{"name":"eno49"},"linkState":"up","mtu":1500}]}""";
        Assert.Empty(host.Drifts(json));

        var (plan, _) = host.Plan(json);

        Assert.Empty(plan.Steps.Select(Row));
    }

    [Fact]
    public void APfLinkToPersist_ConfiguredElsewhere_IsRefusedWithoutForce_AndPlannedWithIt()
    {
        using var host = new ConfiguredHost("i350-4port", tree =>
        {
            tree.WriteFile("/usr/sbin/netplan", string.Empty);
            tree.WriteFile("/etc/netplan/01-netcfg.yaml", "network:\n  version: 2\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        });
        const string json = """{"pfs":[{"match":{"name":"eno49"},"mtu":9000,"persist":true}]}""";

        var refusal = Assert.Single(host.Plan(json).Refusals);
        var (forced, none) = host.Plan(json, force: true);

        Assert.Equal((ErrorCatalog.NetworkConfigConflict, "eno49"), (refusal.Id, (string)refusal.Target!));
        Assert.Empty(none);
        Assert.Equal(["0000:04:00.0 (eno49)", "/etc/netplan/60-sriovps-eno49.yaml"], forced.Steps.Select(s => s.Target));
    }

    [Fact]
    public void UnderWhatIf_EveryStepIsShown_AndTheTreeIsNotTouched()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (plan, _) = host.Plan("""{"pfs":[{"match":{"name":"eno49"},"numVfs":3,"persist":true}],"boot":{"vfioModules":true}}""");
        var asker = new ScriptedAsker(StepAnswer.WhatIf);

        var result = PlanRunner.Run(plan, asker, host.Session);

        Assert.Equal(["0000:04:00.0 (eno49)", "/etc/udev/rules.d/70-sriovps.rules", "/etc/modules-load.d/vfio.conf"], asker.Asked);
        Assert.Empty(result.Made);
        Assert.Empty(asker.Told.Failures);
        Assert.False(File.Exists(host.Tree.PathOf("/etc/modules-load.d/vfio.conf")));
        Assert.False(File.Exists(host.Tree.PathOf("/etc/udev/rules.d/70-sriovps.rules")));
    }

    [Fact]
    public void TheFacadesPlan_OnACopiedTree_HasNoVerification_ButOneRefusalForTheKernelsSteps()
    {
        // A copied tree has no kernel to read back: its files are what the steps wrote.
        using var host = new ConfiguredHost("i350-4port");
        var configuration = new SriovConfiguration(host.Session);
        var problems = new List<SriovException>();
        var desired = configuration.Resolve("""{"pfs":[{"match":{"name":"eno49"},"mtu":9000}],"boot":{"vfioModules":true}}""", problems)!;
        var refusals = new List<SriovException>();

        var plan = configuration.Plan(desired, force: false, rollBack: true, refusals)!;

        Assert.Empty(problems);
        Assert.Empty(refusals);
        Assert.Null(plan.Verify);
        Assert.NotNull(plan.LiveHostRefusal);
        Assert.True(plan.RollsBack && plan.StopsAtFirstFailure && plan.SaysWhatWasTakenBack);
    }

    [Fact]
    public void NotReached_ListsEveryDrift_WithItsPath()
    {
        var error = SriovConfiguration.NotReached([
            new SriovConfigurationDrift("eno49", "Mtu", 9000, 1500, "Set-SriovPf -Name eno49 -Mtu 9000", "pfs[0].mtu"),
            new SriovConfigurationDrift("eno49 vf 1", "MacAddress", "32:5e:0f:a0:00:01", null, "Set-SriovVf", "pfs[0].vfs[1].mac")]);

        Assert.Equal((ErrorCatalog.ConfigurationNotReached, SriovErrorCategory.InvalidResult, "eno49"), (error.Id, error.Category, error.Target));
        Assert.Equal(
            "After the steps were made the host is still not as the document asks:\n  eno49 Mtu: 1500, not 9000 (pfs[0].mtu)\n  eno49 vf 1 MacAddress: (none), not 32:5e:0f:a0:00:01 (pfs[0].vfs[1].mac)",
            error.Message);
    }
}
