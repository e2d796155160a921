using System.Collections.Generic;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Discovery;

public class DiscoveryTests
{
    private const string Eno49Device = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0";

    [Fact]
    public void GetPfs_OnTheSeedsI350_FindsTheFourPortsInPciOrder()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        var pfs = new SriovDiscovery(tree.Files).GetPfs();

        Assert.Equal(
            [
                ("eno49", "0000:04:00.0", "igb", 7, 7),
                ("eno50", "0000:04:00.1", "igb", 7, 7),
                ("eno51", "0000:04:00.2", "igb", 7, 7),
                ("eno52", "0000:04:00.3", "igb", 7, 7),
            ],
            pfs.Select(p => (p.Name, p.PciAddress, p.Driver, p.TotalVfs, p.NumVfs)));
    }

    [Theory]
    [InlineData("i350-4port", "0x1521", "0x1520")]
    [InlineData("lab-igb", "0x10c9", "0x10ca")]
    [InlineData("connectx5", "0x1017", "0x1018")]
    public void GetPfs_GiveTheVfsDeviceId_BesideThePfsOwn(string fixture, string pfDevice, string vfDevice)
    {
        using var tree = HostTree.FromFixture(fixture);

        var pf = new SriovDiscovery(tree.Files).GetPfs().First(p => p.NumVfs > 0);

        Assert.Equal((pfDevice, vfDevice), (pf.DeviceId, pf.VfDeviceId));
    }

    [Fact]
    public void GetPfs_WithoutSriovVfDevice_LeaveTheVfsDeviceIdUnknown()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Eno49Device + "/sriov_vf_device");

        var pfs = new SriovDiscovery(tree.Files).GetPfs();

        Assert.Null(pfs[0].VfDeviceId);
        Assert.Equal("0x1520", pfs[1].VfDeviceId);
    }

    [Fact]
    public void GetVfs_OnEno49_FollowsTheInterleavedVirtfnLinks()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var discovery = new SriovDiscovery(tree.Files);
        var eno49 = discovery.GetPfs()[0];

        var vfs = discovery.GetVfs(eno49);

        Assert.Equal(
            ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"],
            vfs.Select(v => v.PciAddress));
        Assert.Equal(Enumerable.Range(0, 7), vfs.Select(v => v.Index));
        Assert.All(vfs, v => Assert.Equal(("eno49", "0000:04:00.0", "igbvf"), (v.PfName, v.PfPciAddress, v.Driver)));
    }

    [Fact]
    public void GetVfs_OfTheLastPort_StartsFourFunctionsLater()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var discovery = new SriovDiscovery(tree.Files);

        var vfs = discovery.GetVfs(discovery.GetPfs()[3]);

        Assert.Equal(["0000:04:10.3", "0000:04:10.7", "0000:04:11.3"], vfs.Take(3).Select(v => v.PciAddress));
    }

    [Fact]
    public void GetPfs_SkipsNetworkFunctionsWithoutSriovAndSriovFunctionsThatAreNotNetwork()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/sys/bus/pci/devices/0000:00:03.0/class", "0x020000\n");          // virtio NIC, no SR-IOV
        tree.WriteFile("/sys/bus/pci/devices/0000:05:00.0/class", "0x010802\n");          // NVMe with SR-IOV
        tree.WriteFile("/sys/bus/pci/devices/0000:05:00.0/sriov_totalvfs", "32\n");
        tree.WriteFile("/sys/bus/pci/devices/0000:05:00.0/sriov_numvfs", "0\n");

        var pfs = new SriovDiscovery(tree.Files).GetPfs();

        Assert.Equal(["0000:04:00.0", "0000:04:00.1", "0000:04:00.2", "0000:04:00.3"], pfs.Select(p => p.PciAddress));
    }

    [Fact]
    public void GetPfs_PfWithoutDriver_HasNoNameNorDriver()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Eno49Device + "/driver");
        tree.Delete(Eno49Device + "/net");

        var pf = new SriovDiscovery(tree.Files).GetPfs()[0];

        Assert.Equal("0000:04:00.0", pf.PciAddress);
        Assert.Null(pf.Name);
        Assert.Null(pf.Driver);
        Assert.Equal("0000:04:00.0", pf.ToString());
    }

    [Fact]
    public void GetPfs_DeviceVanishingMidRead_IsSkippedWithANote()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Eno49Device + "/sriov_numvfs");
        var notes = new List<string>();

        var pfs = new SriovDiscovery(tree.Files, null, new CallbackReport(note: notes.Add)).GetPfs();

        Assert.Equal(["eno50", "eno51", "eno52"], pfs.Select(p => p.Name));
        Assert.Equal(["Skipped 0000:04:00.0: its SR-IOV attributes vanished or could not be read."], notes);
    }

    [Fact]
    public void GetVfs_VfVanishingMidRead_IsSkippedWithANote()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var notes = new List<string>();
        var discovery = new SriovDiscovery(tree.Files, null, new CallbackReport(note: notes.Add));
        var eno49 = discovery.GetPfs()[0];
        tree.Delete(Eno49Device + "/virtfn2");
        tree.Delete(Eno49Device + "/virtfn5");
        tree.WriteFile(Eno49Device + "/virtfn5", "not a link");

        var vfs = discovery.GetVfs(eno49);

        Assert.Equal([0, 1, 3, 4, 6], vfs.Select(v => v.Index));
        Assert.Equal(
            ["Skipped virtfn2 of 0000:04:00.0: the VF vanished while it was read.",
             "Skipped virtfn5 of 0000:04:00.0: the VF vanished while it was read."],
            notes);
    }

    [Fact]
    public void GetPfs_OnAnEmptyTree_FindsNothing()
    {
        using var tree = HostTree.Empty();

        Assert.Empty(new SriovDiscovery(tree.Files).GetPfs());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData(" 7")]
    public void GetPfs_UnparsableCount_SkipsThePf(string count)
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile(Eno49Device + "/sriov_totalvfs", count);

        var pfs = new SriovDiscovery(tree.Files).GetPfs();

        Assert.DoesNotContain(pfs, p => p.Name == "eno49");
        Assert.Equal(3, pfs.Count);
    }
}
