using System;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Files;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// SR-IOV pools on a real libvirtd in the lab guest, over the igb PFs' real VFs: the seeds' pool on
/// one PF defined and started by the code behind New-LibvirtSriovNetwork, judged by the code behind
/// Get-LibvirtSriovNetwork, and restarted by the code behind Enable-SriovVf when the VF count changes
/// under it; and a pool over the first two PFs, whose VF addresses only the real network driver checks.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class LibvirtPoolLabTests : IClassFixture<LibvirtPoolLabTests.LabLibvirt>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly LabLibvirt _lab;

    public LibvirtPoolLabTests(LabLibvirt lab) => _lab = lab;

    /// <summary>libvirtd in the guest and the igb PFs; afterwards no VFs and no networks.</summary>
    public sealed class LabLibvirt : IDisposable
    {
        public LabLibvirt()
        {
            if (LabHost.IsActive && LabHost.BoundTo("igb") is { Count: > 1 } pfs)
            {
                Pfs = [.. pfs];
                Daemon = new PrivateLibvirtd();
            }
        }

        public string[] Pfs { get; } = [];

        public PrivateLibvirtd? Daemon { get; }

        public void Dispose()
        {
            foreach (var pf in Pfs)
            {
                LabHost.SetNumVfs(pf, 0);
            }

            Daemon?.Dispose();
        }
    }

    private LibvirtConnection Connect()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.True(_lab.Daemon?.Unavailable is null, _lab.Daemon?.Unavailable);
        return LibvirtSessions.Connect(_lab.Daemon!.Uri);
    }

    private static PfVfAddresses Pf(string pciAddress)
    {
        var files = new HostFileSystem("/");
        var pf = new SriovDiscovery(files).GetPfs().Single(p => p.PciAddress == pciAddress);
        return new PfVfAddresses(pf.Name!, pf.PciAddress, VfAddressList.Read(files, pciAddress));
    }

    /// <summary>What `virsh net-dumpxml` shows: the VF addresses of the running pool.</summary>
    private string[] DumpedAddresses(string network) =>
        XElement.Parse(LabHost.Run("virsh", "-c", _lab.Daemon!.Uri, "net-dumpxml", network))
            .Element("forward")!.Elements("address").Select(a => LibvirtPciAddress.Read(a)!).ToArray();

    private static LibvirtSriovNetwork Report(LibvirtConnection connection, string network, params string[] pfs)
    {
        var inventory = LibvirtInventory.Read(connection);
        return SriovNetworkReport.Describe(connection.Uri, inventory.Networks.Single(n => n.Name == network), inventory.Guests, pfs.Select(Pf).ToList());
    }

    [SkippableFact]
    public void APoolOnAPfWithSevenVfs_HasSeven_AndAfterSevenToThreeIsRestartedWithThree()
    {
        var connection = Connect();
        string igb = _lab.Pfs[1];
        using var noVfDriver = LabHost.WithoutVfDriver(igb);
        LabHost.SetNumVfs(igb, 7);
        var pf = Pf(igb);
        string name = SriovNetworkDefinition.DefaultName(pf.Name);
        try
        {
            SriovNetworkDefinition.Plan(connection, name, [pf], start: true).Apply(connection, autostart: true, start: true);

            Assert.Equal(pf.VfAddresses, DumpedAddresses(name));
            var before = Report(connection, name, igb);
            Assert.Equal((7, 0, 7, SriovPoolState.Ok, true), (before.PoolSize, before.InUse, before.Free, before.State, before.Active));

            // Enable-SriovVf -Count 3: the holder check asks libvirt, the count changes, the pool follows.
            var files = new HostFileSystem("/");
            using var links = new KernelLinks(CallbackReport.Throwing);
            var discovery = new SriovDiscovery(files, links: links);
            var plan = VfCountPlan.For(discovery.GetPfs().Single(p => p.PciAddress == igb), 3);
            var changer = new VfCountChanger(files, discovery, links, () => LibvirtInventory.Read(connection, runningOnly: true).VfOwners());
            Assert.Empty(changer.FindHolders(plan.Pf));
            changer.Apply(plan, preserveSettings: false, Wait);
            var outcome = Assert.Single(SriovPoolRefresh.AfterCountChange(connection, pf.VfAddresses, Pf(igb)));

            Assert.True(outcome.Restarted, outcome.Message);
            Assert.Equal(Pf(igb).VfAddresses, DumpedAddresses(name));
            var after = Report(connection, name, igb);
            Assert.Equal((3, 3, SriovPoolState.Ok), (after.PoolSize, after.VfAddresses.Count, after.State));
        }
        finally
        {
            if (connection.LookupNetwork(name) is { } left)
            {
                left.Dispose();
                SriovNetworkRemoval.Remove(connection, name);
            }
        }
    }

    [SkippableFact]
    public void APoolOverBothPfs_ListsTheirVfsByAddress_TheRealDriverStartsIt_AndACountChangeMakesItStale()
    {
        var connection = Connect();
        using var noVfDriver = LabHost.WithoutVfDriver(_lab.Pfs);
        LabHost.SetNumVfs(_lab.Pfs[0], 2);
        LabHost.SetNumVfs(_lab.Pfs[1], 2);
        const string Name = "lab-both-sr-iov";
        try
        {
            // The first two PFs: the third shares its IOMMU group with its VFs.
            var pfs = _lab.Pfs[..2].Select(Pf).ToList();
            SriovNetworkDefinition.Plan(connection, Name, pfs, start: true).Apply(connection, autostart: false, start: true);

            Assert.Equal(pfs.SelectMany(p => p.VfAddresses), DumpedAddresses(Name));
            var report = Report(connection, Name, _lab.Pfs[..2]);
            Assert.Equal((true, 4, SriovPoolState.Ok), (report.FixedVfList, report.PoolSize, report.State));
            Assert.Equal(pfs.Select(p => p.Name), report.PfNames);

            LabHost.SetNumVfs(_lab.Pfs[1], 1);
            var outcome = Assert.Single(SriovPoolRefresh.AfterCountChange(connection, pfs[1].VfAddresses, Pf(_lab.Pfs[1])));

            Assert.False(outcome.Restarted);
            Assert.Contains("by address", outcome.Message, StringComparison.Ordinal);
            var stale = Report(connection, Name, _lab.Pfs[..2]);
            Assert.Equal((SriovPoolState.Stale, 3), (stale.State, stale.PoolSize));
        }
        finally
        {
            if (connection.LookupNetwork(Name) is { } left)
            {
                left.Dispose();
                SriovNetworkRemoval.Remove(connection, Name);
            }

            LabHost.SetNumVfs(_lab.Pfs[0], 0);
        }
    }
}
