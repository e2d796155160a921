using System;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Native.Files;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Discovery on a real kernel: two emulated Intel 82576 (igb) PFs, the first with 7 VFs enabled
/// through sysfs by the fixture, checked against sysfs and iproute2 read independently.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class IgbDiscoveryLabTests(IgbDiscoveryLabTests.SevenVfs lab) : IClassFixture<IgbDiscoveryLabTests.SevenVfs>
{
    /// <summary>Enables 7 VFs on the first igb PF for the tests, and 0 again afterwards.</summary>
    public sealed class SevenVfs : IDisposable
    {
        public SevenVfs()
        {
            if (!LabHost.IsActive)
            {
                return;
            }

            Pfs = LabHost.BoundTo("igb");
            if (Pfs.Count == 0)
            {
                return;
            }

            LabHost.EnableVfsOrUndo(Pfs[0], 7, () => LabHost.WaitUntil(
                () => Enumerable.Range(0, 7).All(i => LabHost.LinkName($"/sys/bus/pci/devices/{Pfs[0]}/virtfn{i}/driver") == "igbvf"),
                "igbvf bound to 7 VFs"));
        }

        public System.Collections.Generic.List<string> Pfs { get; } = [];

        public void Dispose()
        {
            if (Pfs.Count > 0)
            {
                LabHost.SetNumVfs(Pfs[0], 0);
            }
        }
    }

    private static SriovDiscovery Discovery() => new(new HostFileSystem("/"));

    [SkippableFact]
    public void GetPfs_ReportsEveryIgbPfAsTheKernelDoes()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.Equal(3, lab.Pfs.Count);

        var pfs = Discovery().GetPfs().Where(p => p.Driver == "igb").ToList();

        Assert.Equal(lab.Pfs, pfs.Select(p => p.PciAddress));
        foreach (var pf in pfs)
        {
            string device = $"/sys/bus/pci/devices/{pf.PciAddress}";
            Assert.Equal(("0x8086", "0x10c9"), (pf.VendorId, pf.DeviceId));
            Assert.Equal(7, pf.TotalVfs);
            Assert.Equal(int.Parse(LabHost.Read($"{device}/sriov_totalvfs")), pf.TotalVfs);
            Assert.Equal(int.Parse(LabHost.Read($"{device}/sriov_numvfs")), pf.NumVfs);
            Assert.Equal(int.Parse(LabHost.LinkName($"{device}/iommu_group")!), pf.IommuGroup);
            Assert.Equal(Path.GetFileName(Directory.GetDirectories($"{device}/net").Single()), pf.Name);
            Assert.Equal(LabHost.Read($"/sys/class/net/{pf.Name}/address"), pf.MacAddress);
            Assert.Equal(LabHost.IsUp(pf.Name!) ? SriovSupport.Supported : SriovSupport.PfLinkDown, pf.SriovSupport);
        }

        Assert.Equal([7, 0, 0], pfs.Select(p => p.NumVfs));
    }

    [SkippableFact]
    public void SriovSupport_FollowsThePfsAdministrativeState()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        string name = Discovery().GetPfs().Single(p => p.PciAddress == lab.Pfs[1]).Name!;
        bool wasUp = LabHost.IsUp(name);
        try
        {
            LabHost.Ip("link", "set", "dev", name, "down");
            Assert.Equal(SriovSupport.PfLinkDown, Discovery().GetPfs().Single(p => p.Name == name).SriovSupport);

            LabHost.Ip("link", "set", "dev", name, "up");
            Assert.True(LabHost.IsUp(name));
            Assert.Equal(SriovSupport.Supported, Discovery().GetPfs().Single(p => p.Name == name).SriovSupport);
        }
        finally
        {
            LabHost.Ip("link", "set", "dev", name, wasUp ? "up" : "down");
        }
    }

    [SkippableFact]
    public void GetVfs_MatchTheVirtfnLinksDriversGroupsAndInterfaces()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var discovery = Discovery();
        var pf = discovery.GetPfs().Single(p => p.PciAddress == lab.Pfs[0]);
        var interfaces = LabHost.InterfacesByPciParent();

        var vfs = discovery.GetVfs(pf);

        Assert.Equal(Enumerable.Range(0, 7), vfs.Select(v => v.Index));
        foreach (var vf in vfs)
        {
            string link = $"/sys/bus/pci/devices/{pf.PciAddress}/virtfn{vf.Index}";
            Assert.Equal(LabHost.LinkName(link), vf.PciAddress);
            Assert.Equal("igbvf", vf.Driver);
            Assert.Equal(int.Parse(LabHost.LinkName($"{link}/iommu_group")!), vf.IommuGroup);
            Assert.Equal(interfaces.Single(i => i.Value == vf.PciAddress).Key, vf.Name);
            Assert.Equal((pf.Name, pf.PciAddress), (vf.PfName, vf.PfPciAddress));
        }

        // The IOMMU isolates every VF: no two share a group.
        Assert.Equal(7, vfs.Select(v => v.IommuGroup).Distinct().Count());
    }

    [SkippableFact]
    public void VfBoundToVfioPci_ShowsDriverVfioPciAndNoInterface()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var discovery = Discovery();
        var pf = discovery.GetPfs().Single(p => p.PciAddress == lab.Pfs[0]);
        string vfAddress = discovery.GetVfs(pf)[0].PciAddress;
        try
        {
            LabHost.Bind(vfAddress, "vfio-pci");

            var vf = Discovery().GetVfs(pf)[0];

            Assert.Equal(LabHost.LinkName($"/sys/bus/pci/devices/{vfAddress}/driver"), vf.Driver);
            Assert.Equal("vfio-pci", vf.Driver);
            Assert.Null(vf.Name);
            Assert.True(Path.Exists($"/dev/vfio/{vf.IommuGroup}"), $"/dev/vfio/{vf.IommuGroup} exists");
            Assert.DoesNotContain(vfAddress, LabHost.InterfacesByPciParent().Values);
        }
        finally
        {
            LabHost.Bind(vfAddress, null);
        }
    }
}
