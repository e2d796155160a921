using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// Test-SriovConfiguration's comparison on copied host trees: what sysfs and the tree's files say is
/// compared; what only a running kernel reports (VF settings, libvirt) is said once as a warning.
/// </summary>
public sealed class ConfigurationDriftsTests
{
    private const string Eno49Net = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/net/eno49";

    private static string Row(SriovConfigurationDrift d) => $"{d.Target} | {d.Property} | {d.Desired} | {d.Actual} | {d.Step} | {d.Path}";

    [Fact]
    public void AHostAsTheDocumentAsks_HasNoDrift()
    {
        using var host = new ConfiguredHost("i350-4port");
        var warnings = new List<string>();

        var drifts = host.Drifts("""
            {"pfs":[{"match":{"driver":"igb"},"numVfs":7,"driversAutoprobe":true,"linkState":"up","mtu":1500,
                     "vfs":[{"index":"0-6","driver":"default"}]}]}
            """, warnings);

        Assert.Empty(drifts.Select(Row));
        Assert.Empty(warnings);
    }

    [Fact]
    public void EachPfSettingThatDiffers_IsOneDrift_WithTheCommandThatFixesIt()
    {
        using var host = new ConfiguredHost("i350-4port");

        var drifts = host.Drifts("""
            {"pfs":[{"match":{"name":"eno49"},"numVfs":4,"driversAutoprobe":false,"linkState":"down","mtu":9000},
                    {"match":{"name":"eno50"},"numVfs":0}]}
            """);

        Assert.Equal(
            ["eno49 | NumVfs | 4 | 7 | Enable-SriovVf -PfName eno49 -Count 4 | pfs[0].numVfs",
             "eno49 | DriversAutoprobe | False | True | Set-SriovPf -Name eno49 -DriversAutoprobe $false | pfs[0].driversAutoprobe",
             "eno49 | LinkState | Down | Up | Set-SriovPf -Name eno49 -LinkState Down | pfs[0].linkState",
             "eno49 | Mtu | 9000 | 1500 | Set-SriovPf -Name eno49 -Mtu 9000 | pfs[0].mtu",
             "eno50 | NumVfs | 0 | 7 | Disable-SriovVf -PfName eno50 | pfs[1].numVfs"],
            drifts.Select(Row));
        Assert.Equal((4, 7), ((int)drifts[0].Desired!, (int)drifts[0].Actual!));
    }

    [Fact]
    public void APfThatIsDown_DriftsFromLinkStateUp()
    {
        using var host = new ConfiguredHost("x540-2port");

        var drift = Assert.Single(host.Drifts("""{"pfs":[{"match":{"name":"eno2"},"linkState":"up"}]}"""));

        Assert.Equal("eno2 | LinkState | Up | Down | Set-SriovPf -Name eno2 -LinkState Up | pfs[0].linkState", Row(drift));
    }

    [Fact]
    public void APfThatIsUpWithoutACarrier_IsUp_ForLinkStateIsTheAdministrativeState()
    {
        // operstate "down" with IFF_UP in flags: "ip link set up" was done, no cable is in.
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(Eno49Net + "/operstate", "down\n"));

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"linkState":"up"}]}""").Select(Row));
    }

    [Fact]
    public void APfWithoutIffUpInItsFlags_IsDown_WhateverItsOperstateSays()
    {
        // operstate "up" with flags 0x1002: the state sysfs last saw, but "ip link set down" was done.
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(Eno49Net + "/flags", "0x1002\n"));

        var drift = Assert.Single(host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"linkState":"up"}]}"""));

        Assert.Equal("eno49 | LinkState | Up | Down | Set-SriovPf -Name eno49 -LinkState Up | pfs[0].linkState", Row(drift));
        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"linkState":"down"}]}""").Select(Row));
    }

    [Fact]
    public void ThePersistedCount_IsComparedWithTheUdevRulesFile()
    {
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(
            UdevVfRules.HostPath,
            UdevVfRules.Line("0000:04:00.0", new UdevVfRules.Entry(7, null)) + "\n" + UdevVfRules.Line("0000:04:00.1", new UdevVfRules.Entry(3, null)) + "\n"));

        var drifts = host.Drifts("""
            {"pfs":[{"match":{"name":"eno49"},"numVfs":7,"persist":true},
                    {"match":{"name":"eno50"},"numVfs":7,"persist":true},
                    {"match":{"name":"eno51"},"numVfs":7,"persist":true},
                    {"match":{"name":"eno52"},"numVfs":7,"persist":false}]}
            """);

        Assert.Equal(
            ["eno50 | PersistedNumVfs | 7 | 3 | Enable-SriovVf -PfName eno50 -Count 7 -Persist | pfs[1].persist",
             "eno51 | PersistedNumVfs | 7 |  | Enable-SriovVf -PfName eno51 -Count 7 -Persist | pfs[2].persist"],
            drifts.Select(Row));
    }

    [Fact]
    public void APersistedCountOfZero_IsMet_ByNoLineInTheRulesFile()
    {
        using var host = new ConfiguredHost("x540-2port");

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eno1"},"numVfs":0,"persist":true}]}"""));
    }

    [Fact]
    public void VfDrivers_AreComparedFromSysfs()
    {
        using var host = new ConfiguredHost("lab-igb");

        var drifts = host.Drifts("""
            {"pfs":[{"match":{"name":"eth0"},"vfs":[{"index":0,"driver":"igbvf"},{"index":1,"driver":"vfio-pci"},{"index":2,"driver":"default"},{"index":3,"driver":"vfio_pci"}]}]}
            """);

        Assert.Equal(
            ["eth0 vf 0 | Driver | igbvf | vfio-pci | Set-SriovVfDriver -PfName eth0 -Index 0 -Driver igbvf | pfs[0].vfs[0].driver",
             "eth0 vf 1 | Driver | vfio-pci | igbvf | Set-SriovVfDriver -PfName eth0 -Index 1 -Driver vfio-pci | pfs[0].vfs[1].driver",
             "eth0 vf 3 | Driver | vfio_pci | igbvf | Set-SriovVfDriver -PfName eth0 -Index 3 -Driver vfio_pci | pfs[0].vfs[3].driver"],
            drifts.Select(Row));
    }

    [Fact]
    public void AVfOnTheDriverAskedByName_WithoutDriverOverride_DriftsForARebindWouldLoseIt()
    {
        // VF 3 is on igbvf with driver_override "(null)"; VF 0 is on vfio-pci held there by its driver_override.
        using var host = new ConfiguredHost("lab-igb");

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"vfs":[{"index":0,"driver":"vfio-pci"},{"index":3,"driver":"igbvf"}]}]}""");

        Assert.Equal(
            ["eth0 vf 3 | Driver | igbvf | igbvf (driver_override not set) | Set-SriovVfDriver -PfName eth0 -Index 3 -Driver igbvf | pfs[0].vfs[1].driver"],
            drifts.Select(Row));
    }

    [Fact]
    public void AVfOnItsDefaultDriver_AskedForDefault_HasNoDriverDrift()
    {
        using var host = new ConfiguredHost("lab-igb");

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"vfs":[{"index":"1-6","driver":"default"}]}]}""").Select(Row));
    }

    [Fact]
    public void AVfToBeCreated_IsCoveredByTheCountDrift_Alone()
    {
        using var host = new ConfiguredHost("x540-2port");

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eno1"},"numVfs":4,"vfs":[{"index":"0-3","driver":"vfio-pci"}]}]}""");

        Assert.Equal(["NumVfs"], drifts.Select(d => d.Property));
    }

    [Fact]
    public void VfSettings_OnACopiedTree_AreNotCompared_AndSaidSoOncePerPf()
    {
        using var host = new ConfiguredHost("i350-4port");
        var warnings = new List<string>();

        var drifts = host.Drifts("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-3","vlan":10,"trust":true,"mac":"auto"},{"index":4,"spoofCheck":false}]}]}
            """, warnings);

        Assert.Empty(drifts);
        Assert.Equal(["Not compared: the VF settings of eno49: a copied host tree has no kernel to report them."], warnings);
    }

    [Fact]
    public void PoolsAndAppArmor_OnACopiedTree_AreNotCompared_AndSaidSo()
    {
        using var host = new ConfiguredHost("i350-4port");
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"pools":[{"name":"p","pfs":["eno49"]}],"boot":{"appArmor":true}}""", warnings);

        Assert.Empty(drifts);
        Assert.Equal(
            ["Not compared: the pools: libvirt is not read for a copied host tree.",
             "Not compared: AppArmor's rules for the pools' VFs: the pools are known from this machine's libvirt."],
            warnings);
    }

    [Fact]
    public void AnEswitchMode_ACopiedTreeCannotRead_IsNotADrift_ButSaidSo()
    {
        using var host = new ConfiguredHost("connectx5");
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"enp10s0f0np0"},"eswitchMode":"legacy"}]}""", warnings);

        Assert.Empty(drifts.Select(Row));
        Assert.Equal(["Not compared: the eswitch mode of enp10s0f0np0: mlx5_core reports none through devlink (a copied host tree has no devlink)."], warnings);
    }

    [Theory]
    [InlineData("legacy")]
    [InlineData("switchdev")]
    public void AnEswitchMode_OfAPfWhoseDriverReportsNone_IsNotADrift_ButSaidSo_OncePerPf(string mode)
    {
        using var host = new ConfiguredHost("i350-4port");
        var warnings = new List<string>();

        var drifts = host.Drifts($$"""
            {"pfs":[{"match":{"name":"eno50"},"eswitchMode":"{{mode}}"},{"match":{"name":"eno49"},"eswitchMode":"{{mode}}","numVfs":3}]}
            """, warnings);

        Assert.Equal(["eno49 | NumVfs | 3 | 7 | Enable-SriovVf -PfName eno49 -Count 3 | pfs[1].numVfs"], drifts.Select(Row));
        Assert.Equal(
            ["Not compared: the eswitch mode of eno50: igb reports none through devlink (a copied host tree has no devlink).",
             "Not compared: the eswitch mode of eno49: igb reports none through devlink (a copied host tree has no devlink)."],
            warnings);
    }

    [Fact]
    public void VfioModulesNotLoadedAtBoot_IsADriftOfTheModulesFile()
    {
        using var host = new ConfiguredHost("i350-4port");

        var drift = Assert.Single(host.Drifts("""{"boot":{"vfioModules":true}}"""));

        Assert.Equal(("/etc/modules-load.d/vfio.conf", "VfioModules", null, "Enable-SriovIommu -VfioOnly", "boot.vfioModules"), (drift.Target, drift.Property, drift.Actual, drift.Step, drift.Path));
        // The edit's one-line summary, not the diff -WhatIf shows.
        Assert.Equal("load vfio vfio_iommu_type1 vfio_pci at boot (or now: modprobe vfio-pci)", drift.Desired);
    }

    [Fact]
    public void VfioModulesLoadedAtBoot_IsNoDrift()
    {
        using var host = new ConfiguredHost("i350-4port");
        host.Tree.WriteFile("/etc/modules-load.d/vfio.conf", "vfio\nvfio_iommu_type1\nvfio_pci\n");

        Assert.Empty(host.Drifts("""{"boot":{"vfioModules":true}}""").Select(Row));
    }

    [Fact]
    public void IommuWordsMissingFromGrub_AreADriftOfGrubsDefaults()
    {
        using var host = new ConfiguredHost("iommu-off");
        host.Tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        host.Tree.WriteFile("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\nGRUB_CMDLINE_LINUX=\"\"\n");

        var drift = Assert.Single(host.Drifts("""{"boot":{"iommu":true}}"""));

        Assert.Equal(("/etc/default/grub", "KernelCommandLine", "Enable-SriovIommu", "boot.iommu"), (drift.Target, drift.Property, drift.Step, drift.Path));
        Assert.Null(drift.Actual);
        var desired = Assert.IsType<string>(drift.Desired);
        Assert.DoesNotContain('\n', desired);
        Assert.Contains("intel_iommu=on iommu=pt", desired);
    }

    [Fact]
    public void IommuWordsInGrub_ThatTheRunningKernelHas_AreNoDrift()
    {
        using var host = new ConfiguredHost("i350-4port");
        host.Tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        host.Tree.WriteFile("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");

        Assert.Empty(host.Drifts("""{"boot":{"iommu":true}}""").Select(Row));
    }

    [Fact]
    public void IommuAsked_OnAHostWithoutGrubsDefaults_IsNotCompared_AndSaidSo()
    {
        using var host = new ConfiguredHost("iommu-off", tree => tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"));
        Assert.False(File.Exists(host.Tree.PathOf("/etc/default/grub")));
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"boot":{"iommu":true}}""", warnings);

        Assert.Empty(drifts.Select(Row));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("Not compared: the boot settings: There is no /etc/default/grub: this host does not boot with GRUB", warning);
    }

    [Fact]
    public void IommuAsked_WhereTheIommusVendorIsUnknown_IsNotCompared_AndSaidSo()
    {
        using var host = new ConfiguredHost("iommu-off", tree =>
        {
            tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: HygonGenuine\n");
            tree.WriteFile("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        });
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"boot":{"iommu":true}}""", warnings);

        Assert.Empty(drifts.Select(Row));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("Not compared: the boot settings: Whether this host's IOMMU is Intel's or AMD's cannot be told", warning);
    }

    [Fact]
    public void ABootSettingThatCannotBeCompared_LeavesTheOtherCompared()
    {
        using var host = new ConfiguredHost("iommu-off", tree => tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"));
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"boot":{"iommu":true,"vfioModules":true}}""", warnings);

        Assert.Equal(["VfioModules"], drifts.Select(d => d.Property));
        Assert.Single(warnings);
    }

    [Fact]
    public void NotComparedWarnings_EndWithOneFullStop_WhenTheyQuoteAnError()
    {
        using var host = new ConfiguredHost("iommu-off", tree => tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"));
        var warnings = new List<string>();

        host.Drifts("""{"boot":{"iommu":true}}""", warnings);

        Assert.EndsWith("kept elsewhere.", Assert.Single(warnings));
        Assert.DoesNotContain("..", warnings[0]);
    }

    [Fact]
    public void GetsOwnDocument_HasNoDrift_OnEveryFixture()
    {
        foreach (string fixture in new[] { "i350-4port", "lab-igb", "connectx5", "x540-2port", "iommu-off", "e810-nodriver" })
        {
            using var host = new ConfiguredHost(fixture);
            string json = new HostConfigurationWriter(host.Session, CallbackReport.Throwing).Write(host.Session.AllPfs(), "SriovPS.Configuration.schema.json");

            Assert.Empty(host.Drifts(json).Select(Row));
        }
    }
}
