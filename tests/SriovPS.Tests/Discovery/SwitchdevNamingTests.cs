using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Discovery;

/// <summary>
/// A switchdev PF keeps its VF representors in its own net/ directory (mlx5 does): the PF is named by
/// its uplink even when a representor's name sorts first, as kernel names (eth0, eth1) may.
/// </summary>
public sealed class SwitchdevNamingTests
{
    private const string Pf = "/sys/devices/pci0000:08/0000:08:02.0/0000:0a:00.0";

    [Fact]
    public void PfIsNamedByItsUplink_NotByARepresentorThatSortsFirst()
    {
        using var tree = HostTree.FromFixture("connectx5-switchdev");
        tree.WriteFile($"{Pf}/net/aa-rep9/phys_port_name", "pf0vf9\n");
        tree.WriteFile($"{Pf}/net/aa-rep9/ifindex", "99\n");
        File.CreateSymbolicLink(tree.PathOf("/sys/class/net/aa-rep9"), $"../../devices/pci0000:08/0000:08:02.0/0000:0a:00.0/net/aa-rep9");

        var pf = new SriovDiscovery(tree.Files).GetPfs().Single(p => p.PciAddress == "0000:0a:00.0");

        Assert.Equal("enp10s0f0np0", pf.Name);
        Assert.Equal("enp10s0f0np0", SriovDiscovery.FirstInterface(tree.Files, Pf));
    }

    [Fact]
    public void ADeviceWithOnlyARepresentorStillHasThatInterface()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/devices/x/net/rep0/phys_port_name", "pf0vf0\n");

        Assert.Equal("rep0", SriovDiscovery.FirstInterface(tree.Files, "/sys/devices/x"));
    }
}
