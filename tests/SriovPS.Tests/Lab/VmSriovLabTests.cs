using System.Collections.Generic;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Files;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// The seeds' whole flow on a real kernel and a real libvirtd in the lab guest: an igb PF with 3 VFs,
/// the pool on it started, a small guest given two pool interfaces by the code behind
/// Add-VmSriovInterface and started paused (QEMU takes the VFs at start; no guest OS is needed), the
/// VFs then owned by that guest on vfio-pci, a third interface that finds no PCI slot going into the
/// definition only, and the VFs returned when the guest is destroyed.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class VmSriovLabTests : IClassFixture<LibvirtPoolLabTests.LabLibvirt>
{
    private readonly LibvirtPoolLabTests.LabLibvirt _lab;

    public VmSriovLabTests(LibvirtPoolLabTests.LabLibvirt lab) => _lab = lab;

    private static PfVfAddresses Pf(string pciAddress)
    {
        var files = new HostFileSystem("/");
        var pf = new SriovDiscovery(files).GetPfs().Single(p => p.PciAddress == pciAddress);
        return new PfVfAddresses(pf.Name!, pf.PciAddress, VfAddressList.Read(files, pciAddress));
    }

    /// <summary>Get-SriovVf's view: the PF's VFs with Owner from one libvirt pass.</summary>
    private static List<SriovVf> VfsWithOwners(LibvirtConnection connection, string pfAddress)
    {
        var discovery = new SriovDiscovery(new HostFileSystem("/"));
        var owners = LibvirtInventory.Read(connection, runningOnly: true).VfOwners();
        var vfs = discovery.GetVfs(discovery.GetPfs().Single(p => p.PciAddress == pfAddress));
        foreach (var vf in vfs)
        {
            vf.Owner = owners.GetValueOrDefault(vf.PciAddress);
        }

        return vfs;
    }

    private static (LibvirtInventory Inventory, List<LibvirtSriovNetwork> Pools) Read(LibvirtConnection connection, PfVfAddresses pf)
    {
        var inventory = LibvirtInventory.Read(connection);
        return (inventory, inventory.Networks.Select(n => SriovNetworkReport.Describe(connection.Uri, n, inventory.Guests, [pf])).ToList());
    }

    private static VmSriovInterfaceAddition Plan(LibvirtConnection connection, PfVfAddresses pf, VmInterfaceRequest request)
    {
        var (inventory, pools) = Read(connection, pf);
        return VmSriovInterfaceAddition.Plan(inventory, pools, [pf], request);
    }

    [SkippableFact]
    public void TheSeedsFlow_TwoPoolInterfaces_OwnedByThePausedGuestOnVfio_ThenReturned()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.True(_lab.Daemon?.Unavailable is null, _lab.Daemon?.Unavailable);
        var connection = LibvirtSessions.Connect(_lab.Daemon!.Uri);
        string igb = _lab.Pfs[1];

        // libvirt binds the VFs to vfio-pci itself; their own driver would only cost time here.
        using var noVfDriver = LabHost.WithoutVfDriver(igb);
        LabHost.SetNumVfs(igb, 3);
        var pf = Pf(igb);
        string pool = SriovNetworkDefinition.DefaultName(pf.Name);
        const string Vm = "z-k8s-n-1";
        bool wasUp = LabHost.IsUp(pf.Name);
        LabHost.Ip("link", "set", "dev", pf.Name, "down");
        try
        {
            SriovNetworkDefinition.Plan(connection, pool, [pf], start: true).Apply(connection, autostart: false, start: true);
            using (connection.DefineDomain(EmbeddedQemu.GuestXml(Vm)))
            {
            }

            var plan = Plan(connection, pf, new VmInterfaceRequest(Vm, pool, null, null, null, 2, null, null, Config: true, Live: false));
            Assert.Empty(plan.Apply(connection, new HostReport()));
            using var domain = connection.LookupDomain(Vm)!;

            // The seeds' first start: the PF is down.
            var down = Assert.Throws<LibvirtException>(() => domain.Create(LibvirtDomain.StartPaused));
            var notOnline = LibvirtErrors.ForGuest(down, Vm, "start the guest");
            Assert.Equal(ErrorCatalog.PfNotOnline, notOnline.Id);
            Assert.Equal($"Bring the PF up, now and at boot: Set-SriovPf -Name {pf.Name} -LinkState Up -Persist.", notOnline.Remedy);

            LabHost.Ip("link", "set", "dev", pf.Name, "up");
            domain.Create(LibvirtDomain.StartPaused);

            var owned = VfsWithOwners(connection, igb).Where(vf => vf.Owner == Vm).ToList();
            Assert.Equal(2, owned.Count);
            Assert.All(owned, vf => Assert.Equal("vfio-pci", vf.Driver));
            var (inventory, pools) = Read(connection, pf);
            var report = pools.Single(p => p.Name == pool);
            Assert.Equal((2, 1, SriovPoolState.Ok), (report.InUse, report.Free, report.State));
            var interfaces = VmSriovInterfaceReport.Describe(connection.Uri, inventory.Guest(Vm)!, inventory, pools, [pf]);
            Assert.Equal(plan.MacAddresses, interfaces.Select(i => i.MacAddress));
            Assert.Equal(owned.Select(vf => vf.PciAddress).Order(), interfaces.Select(i => i.VfPciAddress!).Order());
            Assert.All(interfaces, i => Assert.Equal((pool, true, true, false), (i.Network, i.Active, i.InConfig, i.RestartRequired)));

            // The seeds' third live attach: no PCI slot left, so into the definition only.
            var third = Plan(connection, pf, new VmInterfaceRequest(Vm, pool, null, null, null, 1, null, null, Config: true, Live: true));
            var restart = third.Apply(connection, new HostReport());
            Assert.Equal(third.MacAddresses, restart);
            (inventory, pools) = Read(connection, pf);
            var waiting = VmSriovInterfaceReport.Describe(connection.Uri, inventory.Guest(Vm)!, inventory, pools, [pf]).Single(i => i.MacAddress == restart[0]);
            Assert.Equal((true, false, true), (waiting.InConfig, waiting.Active, waiting.RestartRequired));
            Assert.Equal(2, pools.Single(p => p.Name == pool).InUse);

            // With igbvf loaded again, libvirt gives the VFs back to it when the guest stops.
            LabHost.Run("modprobe", "igbvf");
            domain.Destroy();

            Assert.DoesNotContain(VfsWithOwners(connection, igb), vf => vf.Owner is not null);
            LabHost.WaitUntil(() => VfsWithOwners(connection, igb).All(vf => vf.Driver == "igbvf"), "the VFs back on igbvf", 60);
            Assert.Equal(0, Read(connection, pf).Pools.Single(p => p.Name == pool).InUse);
        }
        finally
        {
            using (var left = connection.LookupDomain(Vm))
            {
                if (left is not null)
                {
                    if (left.IsActive)
                    {
                        left.Destroy();
                    }

                    left.Undefine();
                }
            }

            if (connection.LookupNetwork(pool) is { } network)
            {
                network.Dispose();
                SriovNetworkRemoval.Remove(connection, pool);
            }

            LabHost.Ip("link", "set", "dev", pf.Name, wasUp ? "up" : "down");
        }
    }
}
