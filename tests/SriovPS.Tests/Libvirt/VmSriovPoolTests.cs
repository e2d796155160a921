using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// Pool interfaces judged against their pool on a real libvirtd, whose network and QEMU drivers live
/// in one daemon as on a host (the embedded QEMU driver has no network driver): the seeds' second
/// guest pushing the I350 pool past its 7 VFs, and networks that are not pools.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class VmSriovPoolTests : IClassFixture<PrivateLibvirtd>, IDisposable
{
    private static readonly PfVfAddresses Eno49 = new("eno49", "0000:04:00.0", ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"]);

    private readonly PrivateLibvirtd _daemon;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _guests = [];
    private readonly List<string> _networks = [];

    public VmSriovPoolTests(PrivateLibvirtd daemon) => _daemon = daemon;

    private LibvirtConnection Connection()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        Skip.If(_daemon.Unavailable is not null, _daemon.Unavailable);
        return LibvirtSessions.Connect(_daemon.Uri);
    }

    public void Dispose()
    {
        if (LibvirtCollection.Unavailable is not null || _daemon.Unavailable is not null)
        {
            return;
        }

        var connection = LibvirtSessions.Connect(_daemon.Uri);
        foreach (var name in _guests)
        {
            using var domain = connection.LookupDomain(name);
            domain?.Undefine();
        }

        foreach (var name in _networks)
        {
            using var network = connection.LookupNetwork(name);
            network?.Undefine();
        }
    }

    private string DefineNetwork(string xml, string name)
    {
        using var network = Connection().DefineNetwork(xml);
        _networks.Add(name);
        return name;
    }

    private string DefineGuest(string name)
    {
        string unique = $"{name}-{_suffix}";
        using var domain = Connection().DefineDomain(EmbeddedQemu.GuestXml(unique));
        _guests.Add(unique);
        return unique;
    }

    private (LibvirtInventory Inventory, List<LibvirtSriovNetwork> Pools) Read()
    {
        var inventory = LibvirtInventory.Read(Connection());
        return (inventory, inventory.Networks.Select(n => SriovNetworkReport.Describe(_daemon.Uri, n, inventory.Guests, [Eno49])).ToList());
    }

    private VmSriovInterfaceAddition Plan(string vm, string network, int count)
    {
        var (inventory, pools) = Read();
        return VmSriovInterfaceAddition.Plan(inventory, pools, [Eno49], new(vm, network, null, null, null, count, null, null, true, false));
    }

    [SkippableFact]
    public void TheSeedsSecondGuest_AskingForAFourthVf_IsWarnedWithTheNumbers_AndThePoolIsOvercommitted()
    {
        string pool = DefineNetwork(HostdevNetworkXml.ForPf($"eno49-sr-iov-{_suffix}", "eno49"), $"eno49-sr-iov-{_suffix}");
        string first = DefineGuest("z-k8s-n-1");
        string second = DefineGuest("z-k8s-n-2");
        Plan(first, pool, 4).Apply(Connection(), new HostReport());
        var fits = Plan(second, pool, 3);
        Assert.Empty(fits.Warnings);
        fits.Apply(Connection(), new HostReport());

        var fourth = Plan(second, pool, 1);
        fourth.Apply(Connection(), new HostReport());

        Assert.Equal(
            $"With 1 more on '{second}', the guests defined on pool '{pool}' will have 8 interfaces on it, but it has 7 VFs: " +
            "they cannot all run at once, and the guest that starts when none is free fails with " +
            $"\"network '{pool}' requires exclusive access to interfaces, but none are available\".",
            Assert.Single(fourth.Warnings));
        var (inventory, pools) = Read();
        var report = pools.Single(p => p.Name == pool);
        Assert.Equal((8, 7, SriovPoolState.Overcommitted), (report.Demand, report.PoolSize, report.State));
        var interfaces = VmSriovInterfaceReport.Describe(_daemon.Uri, inventory.Guest(second)!, inventory, pools, [Eno49]);
        Assert.Equal(4, interfaces.Count);
        Assert.All(interfaces, i => Assert.Equal((pool, SriovPoolState.Overcommitted), (i.Network, i.PoolState)));
    }

    [SkippableFact]
    public void ANetworkThatIsNotAPool_IsNotSriovNetwork_AndAnUnknownOne_IsLibvirtNetworkNotFound()
    {
        string bridge = DefineNetwork($"<network><name>bridged-{_suffix}</name><forward mode='bridge'/><bridge name='br0'/></network>", $"bridged-{_suffix}");
        string vm = DefineGuest("z-k8s-n-1");

        var notPool = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => Plan(vm, bridge, 1));
        var unknown = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => Plan(vm, "no-such-pool-" + _suffix, 1));

        Assert.Equal(ErrorCatalog.NotSriovNetwork, notPool.Id);
        Assert.Equal($"The libvirt network '{bridge}' is not an SR-IOV pool (its forward mode is not hostdev).", notPool.Message);
        Assert.Equal(ErrorCatalog.LibvirtNetworkNotFound, unknown.Id);
        var (inventory, pools) = Read();
        Assert.Empty(VmSriovInterfaceReport.Describe(_daemon.Uri, inventory.Guest(vm)!, inventory, pools, [Eno49]));
    }

    [SkippableFact]
    public void AnInterfaceOnARemovedPool_IsStillListed_WithoutAPoolState_AndCanBeRemoved()
    {
        string pool = DefineNetwork(HostdevNetworkXml.ForPf($"eno50-sr-iov-{_suffix}", "eno50"), $"eno50-sr-iov-{_suffix}");
        string vm = DefineGuest("z-k8s-n-1");
        var added = Plan(vm, pool, 1);
        added.Apply(Connection(), new HostReport());
        using (var network = Connection().LookupNetwork(pool)!)
        {
            network.Undefine();
        }

        var (inventory, pools) = Read();
        var orphan = Assert.Single(VmSriovInterfaceReport.Describe(_daemon.Uri, inventory.Guest(vm)!, inventory, pools, [Eno49]));
        VmSriovInterfaceRemoval.Plan(inventory, pools, vm, orphan.MacAddress, config: true, live: false).Apply(Connection());

        Assert.Equal((pool, (SriovPoolState?)null), (orphan.Network, orphan.PoolState));
        var (after, afterPools) = Read();
        Assert.Empty(VmSriovInterfaceReport.Describe(_daemon.Uri, after.Guest(vm)!, after, afterPools, [Eno49]));
    }
}
