using System.Collections.Generic;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// What "persist" keeps, compared with the files that keep it: the VF drivers' udev lines
/// (PersistedDrivers) and the PF's file in the network manager's configuration (PersistedLink).
/// </summary>
public sealed class PersistedDriftsTests
{
    private const string Eth0 = "0000:01:00.0";
    private static readonly string[] Eth0Vfs = ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6", "0000:01:11.0", "0000:01:11.2", "0000:01:11.4"];

    private static string Row(SriovConfigurationDrift d) => $"{d.Target} | {d.Property} | {d.Desired} | {d.Actual} | {d.Step} | {d.Path}";

    /// <summary>systemd-networkd installed and enabled: the manager a PF's file is written for.</summary>
    private static void Networkd(HostTree tree)
    {
        tree.WriteFile("/usr/lib/systemd/systemd-networkd", string.Empty);
        tree.WriteFile("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", string.Empty);
    }

    /// <summary>The rules Set-SriovVfDriver -Persist leaves for lab-igb: autoprobe held at 0, VF 0 on vfio-pci, the others on igbvf.</summary>
    private static string Eth0DriverRules() =>
        UdevVfRules.Line(Eth0, new UdevVfRules.Entry(7, false)) + "\n"
        + string.Concat(Eth0Vfs.Select((vf, i) => UdevVfDriverRules.Line(vf, i == 0 ? "vfio-pci" : "igbvf") + "\n"));

    [Fact]
    public void VfDriversToPersist_WithoutTheirUdevLines_AreOneDriftForThePf()
    {
        using var host = new ConfiguredHost("lab-igb");

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}]}""");

        Assert.Equal(
            ["eth0 | PersistedDrivers | vf 0 vfio-pci |  | Set-SriovVfDriver -PfName eth0 -Index … -Driver … -Persist | pfs[0].persist"],
            drifts.Select(Row));
    }

    [Fact]
    public void VfDriversToPersist_ThatTheUdevRulesGive_AreNoDrift()
    {
        using var host = new ConfiguredHost("lab-igb", tree => tree.WriteFile(UdevVfRules.HostPath, Eth0DriverRules()));

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}]}""").Select(Row));
    }

    [Fact]
    public void AVfDriverTheUdevRulesGiveOtherwise_IsADrift_ListingEveryDriverTheEntryNames()
    {
        using var host = new ConfiguredHost("lab-igb", tree => tree.WriteFile(UdevVfRules.HostPath, Eth0DriverRules()));

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"},{"index":2,"driver":"vfio-pci"}]}]}""");

        Assert.Equal(
            ["eth0 | PersistedDrivers | vf 0 vfio-pci, vf 2 vfio-pci |  | Set-SriovVfDriver -PfName eth0 -Index … -Driver … -Persist | pfs[0].persist",
             "eth0 vf 2 | Driver | vfio-pci | igbvf | Set-SriovVfDriver -PfName eth0 -Index 2 -Driver vfio-pci | pfs[0].vfs[1].driver"],
            drifts.Select(Row));
    }

    [Fact]
    public void VfDrivers_WithoutPersist_AreNotComparedWithTheUdevRules()
    {
        using var host = new ConfiguredHost("lab-igb");

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eth0"},"vfs":[{"index":0,"driver":"vfio-pci"}]}]}""").Select(Row));
    }

    [Fact]
    public void APfLinkToPersist_WithoutTheNetworkManagersFile_IsADrift()
    {
        using var host = new ConfiguredHost("i350-4port", Networkd);

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"linkState":"up","mtu":1500,"persist":true}]}""");

        Assert.Equal(
            ["eno49 | PersistedLink | up mtu 1500 |  | Set-SriovPf -Name eno49 -LinkState Up -Mtu 1500 -Persist | pfs[0].persist"],
            drifts.Select(Row));
    }

    [Theory]
    [InlineData("\"mtu\":9000", "mtu 9000", " -Mtu 9000")]
    [InlineData("\"linkState\":\"down\"", "down", " -LinkState Down")]
    public void APfLinkToPersist_NamesOnlyWhatTheEntryGives(string field, string desired, string parameters)
    {
        using var host = new ConfiguredHost("i350-4port", Networkd);

        var drift = host.Drifts($$"""{"pfs":[{"match":{"name":"eno49"},{{field}},"persist":true}]}""").Single(d => d.Property == "PersistedLink");

        Assert.Equal((desired, $"Set-SriovPf -Name eno49{parameters} -Persist"), (drift.Desired, drift.Step));
    }

    [Fact]
    public void APfLink_WithoutPersist_IsNotComparedWithTheNetworkConfiguration()
    {
        using var host = new ConfiguredHost("i350-4port", Networkd);

        Assert.Empty(host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"linkState":"up","mtu":1500}]}""").Select(Row));
    }

    [Fact]
    public void APfLinkToPersist_ConfiguredElsewhere_IsStillADrift_ForTheModulesFileIsMissing()
    {
        // Compared as -Force would write it; Set-SriovConfiguration without -Force refuses the conflict (ConfigurationPlannerTests).
        using var host = new ConfiguredHost("i350-4port", tree =>
        {
            tree.WriteFile("/usr/sbin/netplan", string.Empty);
            tree.WriteFile("/etc/netplan/01-netcfg.yaml", "network:\n  version: 2\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        });
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"mtu":1500,"persist":true}]}""", warnings);

        Assert.Equal(
            ["eno49 | PersistedLink | mtu 1500 |  | Set-SriovPf -Name eno49 -Mtu 1500 -Persist | pfs[0].persist"],
            drifts.Select(Row));
        Assert.Empty(warnings);
    }

    [Fact]
    public void APfLinkToPersist_OnAHostWithoutANetworkManager_IsNotPassedOverInSilence()
    {
        // Set-SriovConfiguration warns there that -Persist writes nothing; Test should not report the host as matching in silence.
        using var host = new ConfiguredHost("i350-4port");
        var warnings = new List<string>();

        var drifts = host.Drifts("""{"pfs":[{"match":{"name":"eno49"},"mtu":1500,"persist":true}]}""", warnings);

        Assert.True(drifts.Count > 0 || warnings.Count > 0, "persist of eno49's MTU was neither a drift nor a warning on a host without a network manager.");
    }
}
