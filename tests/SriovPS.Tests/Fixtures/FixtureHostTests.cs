using System.Linq;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Fixtures;

// Exact values of every property discovery reports, on each committed host fixture.

public class I350HostTests(I350HostTests.Host host) : IClassFixture<I350HostTests.Host>
{
    public sealed class Host() : FixtureHost("i350-4port");

    [Fact]
    public void Eno49_HasEveryPropertyTheHostReports()
    {
        var pf = host.Discovery().GetPfs()[0];

        Assert.Equal("eno49", pf.Name);
        Assert.Equal("0000:04:00.0", pf.PciAddress);
        Assert.Equal("igb", pf.Driver);
        Assert.Equal(("0x8086", "0x1521"), (pf.VendorId, pf.DeviceId));
        Assert.Equal(("Intel Corporation", "I350 Gigabit Network Connection"), (pf.VendorName, pf.DeviceName));
        Assert.Equal((7, 7), (pf.TotalVfs, pf.NumVfs));
        Assert.Equal(LinkState.Up, pf.LinkState);
        Assert.Equal("9c:dc:71:5e:0f:a0", pf.MacAddress);
        Assert.Equal(1500, pf.Mtu);
        Assert.Equal(0, pf.NumaNode);
        Assert.Equal(35, pf.IommuGroup);
        Assert.Null(pf.EswitchMode);
        Assert.True(pf.DriversAutoprobe);
        Assert.Equal(SriovSupport.Supported, pf.SriovSupport);
    }

    [Fact]
    public void AllFourPorts_AreSupportedInPciOrder()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal(["eno49", "eno50", "eno51", "eno52"], pfs.Select(p => p.Name));
        Assert.Equal([35, 36, 37, 38], pfs.Select(p => p.IommuGroup!.Value));
        Assert.All(pfs, p => Assert.Equal(SriovSupport.Supported, p.SriovSupport));
    }

    [Fact]
    public void Eno49Vfs_HaveTheSeedsInterleavedAddressesInterfacesAndGroups()
    {
        var discovery = host.Discovery();

        var vfs = discovery.GetVfs(discovery.GetPfs()[0]);

        Assert.Equal(
            [
                (0, "0000:04:10.0", "enp4s16f0", 39), (1, "0000:04:10.4", "enp4s16f4", 40), (2, "0000:04:11.0", "enp4s17f0", 41),
                (3, "0000:04:11.4", "enp4s17f4", 42), (4, "0000:04:12.0", "enp4s18f0", 43), (5, "0000:04:12.4", "enp4s18f4", 44),
                (6, "0000:04:13.0", "enp4s19f0", 45),
            ],
            vfs.Select(v => (v.Index, v.PciAddress, v.Name, v.IommuGroup!.Value)));
        Assert.All(vfs, v => Assert.Equal(("eno49", "0000:04:00.0", "igbvf"), (v.PfName, v.PfPciAddress, v.Driver)));
    }

    [Fact]
    public void VfSettingsFromNetlinkAndOwnerFromLibvirt_AreNullNotInvented()
    {
        var discovery = host.Discovery();

        var vf = discovery.GetVfs(discovery.GetPfs()[0])[0];

        Assert.Null(vf.MacAddress);
        Assert.Null(vf.Vlan);
        Assert.Null(vf.Qos);
        Assert.Null(vf.VlanProtocol);
        Assert.Null(vf.SpoofCheck);
        Assert.Null(vf.Trust);
        Assert.Null(vf.LinkState);
        Assert.Null(vf.MinTxRate);
        Assert.Null(vf.MaxTxRate);
        Assert.Null(vf.Owner);
    }

    [Fact]
    public void IncludeNotCapable_AddsNoVfsAndNoBridges()
    {
        Assert.Equal(4, host.Discovery().GetPfs(includeNotCapable: true).Count);
    }
}

public class X540HostTests(X540HostTests.Host host) : IClassFixture<X540HostTests.Host>
{
    public sealed class Host() : FixtureHost("x540-2port");

    [Fact]
    public void BothPorts_Offer63VfsWithNoneEnabled()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal(
            [("eno1", "0000:01:00.0", 63, 0, 20), ("eno2", "0000:01:00.1", 63, 0, 21)],
            pfs.Select(p => (p.Name!, p.PciAddress, p.TotalVfs, p.NumVfs, p.IommuGroup!.Value)));
        Assert.All(pfs, p => Assert.Equal(("ixgbe", "0x8086", "0x1528", "Ethernet Controller 10-Gigabit X540-AT2"), (p.Driver, p.VendorId, p.DeviceId, p.DeviceName)));
        Assert.Empty(host.Discovery().GetVfs(pfs[0]));
    }

    [Fact]
    public void AdministrativelyDownPort_IsPfLinkDown()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal((SriovSupport.Supported, LinkState.Up), (pfs[0].SriovSupport, pfs[0].LinkState));
        Assert.Equal((SriovSupport.PfLinkDown, LinkState.Down), (pfs[1].SriovSupport, pfs[1].LinkState));
        Assert.Equal("f8:bc:12:3a:41:c0", pfs[1].MacAddress);
    }
}

public class ConnectX5HostTests(ConnectX5HostTests.Host host) : IClassFixture<ConnectX5HostTests.Host>
{
    public sealed class Host() : FixtureHost("connectx5");

    [Fact]
    public void Ports_AreMlx5OnNumaNode1WithJumboMtu()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal(
            [("enp10s0f0np0", "0000:0a:00.0", 8, 8), ("enp10s0f1np1", "0000:0a:00.1", 8, 0)],
            pfs.Select(p => (p.Name!, p.PciAddress, p.TotalVfs, p.NumVfs)));
        Assert.All(pfs, p =>
        {
            Assert.Equal(("mlx5_core", "0x15b3", "0x1017"), (p.Driver, p.VendorId, p.DeviceId));
            Assert.Equal(("Mellanox Technologies", "MT27800 Family [ConnectX-5]"), (p.VendorName, p.DeviceName));
            Assert.Equal((1, 9000, SriovSupport.Supported), (p.NumaNode, p.Mtu, p.SriovSupport));
            Assert.Null(p.EswitchMode);
        });
    }

    [Fact]
    public void EightVfs_TwoOnVfioPciWithoutInterfaces()
    {
        var discovery = host.Discovery();

        var vfs = discovery.GetVfs(discovery.GetPfs()[0]);

        Assert.Equal(
            ["0000:0a:00.2", "0000:0a:00.3", "0000:0a:00.4", "0000:0a:00.5", "0000:0a:00.6", "0000:0a:00.7", "0000:0a:01.0", "0000:0a:01.1"],
            vfs.Select(v => v.PciAddress));
        Assert.Equal(
            ["mlx5_core", "mlx5_core", "mlx5_core", "mlx5_core", "mlx5_core", "mlx5_core", "vfio-pci", "vfio-pci"],
            vfs.Select(v => v.Driver));
        Assert.Equal(
            ["enp10s0f0v0", "enp10s0f0v1", "enp10s0f0v2", "enp10s0f0v3", "enp10s0f0v4", "enp10s0f0v5", null, null],
            vfs.Select(v => v.Name));
        Assert.Equal(Enumerable.Range(42, 8), vfs.Select(v => v.IommuGroup!.Value));
    }
}

public class VirtioHostTests(VirtioHostTests.Host host) : IClassFixture<VirtioHostTests.Host>
{
    public sealed class Host() : FixtureHost("virtio-vm");

    [Fact]
    public void VirtioNic_IsNoPf()
    {
        Assert.Empty(host.Discovery().GetPfs());
    }

    [Fact]
    public void IncludeNotCapable_ListsTheVirtioNicWithItsInterfaceUnderVirtio2()
    {
        var pf = Assert.Single(host.Discovery().GetPfs(includeNotCapable: true));

        Assert.Equal(("eth0", "0000:00:03.0", "virtio-pci"), (pf.Name, pf.PciAddress, pf.Driver));
        Assert.Equal(("0x1af4", "0x1041", "Red Hat, Inc.", "Virtio 1.0 network device"), (pf.VendorId, pf.DeviceId, pf.VendorName, pf.DeviceName));
        Assert.Equal((0, 0, SriovSupport.NotCapable), (pf.TotalVfs, pf.NumVfs, pf.SriovSupport));
        Assert.Equal(("52:54:00:3c:8d:21", LinkState.Up, 1500), (pf.MacAddress, pf.LinkState, pf.Mtu));
        Assert.Null(pf.NumaNode);
        Assert.Null(pf.IommuGroup);
        Assert.Null(pf.DriversAutoprobe);
    }
}

public class E810NoDriverHostTests(E810NoDriverHostTests.Host host) : IClassFixture<E810NoDriverHostTests.Host>
{
    public sealed class Host() : FixtureHost("e810-nodriver");

    [Fact]
    public void PfWithoutDriver_IsNoDriverWithNoInterface()
    {
        var pf = Assert.Single(host.Discovery().GetPfs());

        Assert.Equal(("0000:17:00.0", 128, 0), (pf.PciAddress, pf.TotalVfs, pf.NumVfs));
        Assert.Null(pf.Name);
        Assert.Null(pf.Driver);
        Assert.Null(pf.LinkState);
        Assert.Null(pf.MacAddress);
        Assert.Null(pf.Mtu);
        Assert.Equal(("Intel Corporation", "Ethernet Controller E810-C for SFP"), (pf.VendorName, pf.DeviceName));
        Assert.Equal((30, true), (pf.IommuGroup!.Value, pf.DriversAutoprobe!.Value));
        Assert.Equal(SriovSupport.NoDriver, pf.SriovSupport);
    }
}

public class IommuOffHostTests(IommuOffHostTests.Host host) : IClassFixture<IommuOffHostTests.Host>
{
    public sealed class Host() : FixtureHost("iommu-off");

    [Fact]
    public void Pfs_AreIommuDisabledWithoutGroupsOrNumaNode()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal(["eno1", "eno2"], pfs.Select(p => p.Name));
        Assert.All(pfs, p =>
        {
            Assert.Equal(SriovSupport.IommuDisabled, p.SriovSupport);
            Assert.Null(p.IommuGroup);
            Assert.Null(p.NumaNode);
            Assert.Equal((7, 2), (p.TotalVfs, p.NumVfs));
        });
    }

    [Fact]
    public void Vfs_ExistWithoutIommuGroups()
    {
        var discovery = host.Discovery();

        var vfs = discovery.GetVfs(discovery.GetPfs()[1]);

        Assert.Equal([("0000:02:10.1", "enp2s16f1"), ("0000:02:10.5", "enp2s16f5")], vfs.Select(v => (v.PciAddress, v.Name!)));
        Assert.All(vfs, v => Assert.Null(v.IommuGroup));
    }
}

/// <summary>The lab guest's real sysfs, captured by tests/lab/run.sh --capture: no person wrote it.</summary>
public class LabCaptureHostTests(LabCaptureHostTests.Host host) : IClassFixture<LabCaptureHostTests.Host>
{
    public sealed class Host() : FixtureHost("lab-igb");

    [Fact]
    public void BothEmulated82576Ports_AreIgbPfsThatAreAdministrativelyDown()
    {
        var pfs = host.Discovery().GetPfs();

        Assert.Equal(
            [("eth0", "0000:01:00.0", 7, 6, "52:54:00:12:34:01"), ("eth1", "0000:02:00.0", 0, 7, "52:54:00:12:34:02")],
            pfs.Select(p => (p.Name!, p.PciAddress, p.NumVfs, p.IommuGroup!.Value, p.MacAddress!)));
        Assert.All(pfs, p =>
        {
            Assert.Equal(("igb", "0x8086", "0x10c9", 7), (p.Driver, p.VendorId, p.DeviceId, p.TotalVfs));
            Assert.Null(p.NumaNode);
            Assert.Equal(SriovSupport.PfLinkDown, p.SriovSupport);
        });
    }

    [Fact]
    public void SevenVfsAtStrideTwo_TheFirstOnVfioPci()
    {
        var discovery = host.Discovery();

        var vfs = discovery.GetVfs(discovery.GetPfs()[0]);

        Assert.Equal(
            ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6", "0000:01:11.0", "0000:01:11.2", "0000:01:11.4"],
            vfs.Select(v => v.PciAddress));
        Assert.Equal(Enumerable.Range(8, 7), vfs.Select(v => v.IommuGroup!.Value));
        Assert.Equal(["vfio-pci", "igbvf", "igbvf", "igbvf", "igbvf", "igbvf", "igbvf"], vfs.Select(v => v.Driver));
        Assert.Equal([null, "eth3", "eth4", "eth5", "eth6", "eth7", "eth8"], vfs.Select(v => v.Name));
    }
}
