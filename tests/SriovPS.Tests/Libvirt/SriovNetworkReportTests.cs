using System.Collections.Generic;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// Judging pools against their PFs and guests, on the seeds' host: eno49 with 7 VFs (04:10.0, 04:10.4,
/// … stride 4) and guests z-k8s-n-1 and z-k8s-n-2 with interfaces on the pool.
/// </summary>
public sealed class SriovNetworkReportTests
{
    private static readonly string[] Eno49Vfs = ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"];
    private static readonly string[] Eno50Vfs = ["0000:04:10.1", "0000:04:10.5", "0000:04:11.1"];

    private static PfVfAddresses Eno49(int vfs = 7) => new("eno49", "0000:04:00.0", Eno49Vfs[..vfs]);

    private static PfVfAddresses Eno50(int vfs = 3) => new("eno50", "0000:04:00.1", Eno50Vfs[..vfs]);

    private static HostdevNetworkState PfPool(bool active = true, int listed = 7, params NetworkPortXml[] ports)
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForPf("eno49-sr-iov", "eno49"));
        var running = active ? definition with { Addresses = Eno49Vfs[..listed] } : null;
        return new HostdevNetworkState("eno49-sr-iov", active, true, true, definition, running, active ? ports : []);
    }

    private static GuestState Guest(string name, bool running, int interfaces, string network = "eno49-sr-iov")
    {
        var xml = GuestXml.Parse("<domain><name>" + name + "</name><devices>"
            + string.Concat(Enumerable.Repeat($"<interface type='network'><source network='{network}'/></interface>", interfaces))
            + "</devices></domain>");
        return new GuestState(name, running, xml, running ? xml : null);
    }

    private static LibvirtSriovNetwork Describe(HostdevNetworkState network, IReadOnlyList<GuestState> guests, params PfVfAddresses[] pfs) =>
        SriovNetworkReport.Describe("qemu:///system", network, guests, pfs);

    [Fact]
    public void ARunningPoolWithTwoGuestsOnIt_IsOk_WithFiveFree()
    {
        var network = PfPool(ports: [new("z-k8s-n-1", null, Eno49Vfs[0]), new("z-k8s-n-1", null, Eno49Vfs[1])]);

        var report = Describe(network, [Guest("z-k8s-n-1", true, 2), Guest("z-k8s-n-2", false, 1)], Eno49());

        Assert.Equal((7, 2, 5, 3, SriovPoolState.Ok), (report.PoolSize, report.InUse, report.Free, report.Demand, report.State));
        Assert.Equal(["eno49"], report.PfNames);
        Assert.Equal(["z-k8s-n-1", "z-k8s-n-2"], report.Consumers);
        Assert.Equal(["z-k8s-n-1"], report.RunningConsumers);
        Assert.Null(report.StateReason);
        Assert.False(report.FixedVfList);
    }

    [Fact]
    public void GuestsWantingMoreVfsThanThePoolHas_AreOvercommitted_BeforeTheLastOneFailsToStart()
    {
        // The seeds: a second guest given four VFs on a pool that cannot serve them all.
        var report = Describe(PfPool(), [Guest("z-k8s-n-1", false, 4), Guest("z-k8s-n-2", false, 4)], Eno49());

        Assert.Equal((SriovPoolState.Overcommitted, 8, 7), (report.State, report.Demand, report.PoolSize));
        Assert.Equal("The guests defined on the pool have 8 interfaces on it but it has 7 VFs: they cannot all run at once.", report.StateReason);
    }

    [Fact]
    public void EveryVfHandedOut_IsExhausted()
    {
        var ports = Eno49Vfs.Select(vf => new NetworkPortXml("big", null, vf)).ToArray();

        var report = Describe(PfPool(ports: ports), [Guest("big", true, 7)], Eno49());

        Assert.Equal((SriovPoolState.Exhausted, 7, 0), (report.State, report.InUse, report.Free));
        Assert.Equal("All 7 VFs are in use (7): the next guest to start on the pool will fail.", report.StateReason);
    }

    [Fact]
    public void ARunningPoolListingOtherVfsThanItsPfHas_IsStale_SayingWhatDiffersNotWhy()
    {
        var report = Describe(PfPool(listed: 7), [], Eno49(vfs: 3));

        Assert.Equal((SriovPoolState.Stale, 3), (report.State, report.PoolSize));
        Assert.Equal("The running pool lists 7 VFs but eno49 has 3 now.", report.StateReason);
        Assert.Equal(7, report.VfAddresses.Count);
    }

    [Fact]
    public void ARunningPoolListingAsManyVfsAsItsPfHas_ButOtherOnes_IsStale_NamingHowManyAreGone()
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForPf("eno49-sr-iov", "eno49"));
        var running = definition with { Addresses = [.. Eno49Vfs[..6], "0000:04:13.4"] };
        var network = new HostdevNetworkState("eno49-sr-iov", true, true, true, definition, running, []);

        var report = Describe(network, [], Eno49());

        Assert.Equal(SriovPoolState.Stale, report.State);
        Assert.Equal("The running pool lists 7 VFs and eno49 has 7 now, but 1 of the listed ones are not among them.", report.StateReason);
    }

    [Fact]
    public void AStoppedPoolOnAPf_IsNeverStale_ItsListIsBuiltWhenItStarts_AndIsNotStarted()
    {
        var report = Describe(PfPool(active: false), [], Eno49(vfs: 3));

        Assert.Equal((SriovPoolState.NotStarted, 3, 0, false), (report.State, report.PoolSize, report.InUse, report.Active));
        Assert.Equal("The network is defined but not started: a guest on it fails to start (\"network 'eno49-sr-iov' is not active\").", report.StateReason);
        Assert.Equal(Eno49Vfs[..3], report.VfAddresses);
    }

    [Fact]
    public void AStoppedPool_IsStillOvercommitted_OrExhaustedWithoutVfs_BeforeNotStarted()
    {
        var over = Describe(PfPool(active: false), [Guest("a", false, 4), Guest("b", false, 4)], Eno49());
        var none = Describe(PfPool(active: false), [], Eno49(vfs: 0));

        Assert.Equal(SriovPoolState.Overcommitted, over.State);
        Assert.Equal(SriovPoolState.Exhausted, none.State);
    }

    [Fact]
    public void APoolWhosePfHasNoVfs_IsExhausted_AndSaysWhy()
    {
        var report = Describe(PfPool(active: false), [], Eno49(vfs: 0));

        Assert.Equal((SriovPoolState.Exhausted, 0, 0), (report.State, report.PoolSize, report.Free));
        Assert.Equal("The pool has no VFs (its PFs have none now): a guest on it cannot start.", report.StateReason);
    }

    [Fact]
    public void AFixedListOverTwoPfs_NamesBoth_AndBecomesStaleWhenOneLosesVfs()
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForAddresses("pool", [.. Eno49Vfs, .. Eno50Vfs]));
        var network = new HostdevNetworkState("pool", false, false, true, definition, null, []);

        var fresh = Describe(network, [], Eno49(), Eno50());
        var after = Describe(network, [], Eno49(), Eno50(vfs: 1));

        Assert.Equal((SriovPoolState.NotStarted, 10, true), (fresh.State, fresh.PoolSize, fresh.FixedVfList));
        Assert.Equal(["eno49", "eno50"], fresh.PfNames);
        Assert.Equal((SriovPoolState.Stale, 8), (after.State, after.PoolSize));
        Assert.Equal("Its fixed list names 10 VFs, 2 of which no longer exist, and leaves out 0 VFs its PFs have now.", after.StateReason);
    }

    [Fact]
    public void AFixedListMissingVfsItsPfGained_IsStale()
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForAddresses("pool", Eno49Vfs[..3]));
        var network = new HostdevNetworkState("pool", false, false, true, definition, null, []);

        var report = Describe(network, [], Eno49());

        Assert.Equal(SriovPoolState.Stale, report.State);
        Assert.Contains("leaves out 4 VFs", report.StateReason);
    }

    [Fact]
    public void OnAnotherMachine_ThePoolSizeIsTheRunningPoolsOwnList()
    {
        var report = SriovNetworkReport.Describe("qemu+ssh://kvm2/system", PfPool(listed: 5), [], null);

        Assert.Equal((5, SriovPoolState.Ok), (report.PoolSize, report.State));
    }

    [Fact]
    public void ADriverWithoutPorts_CountsTheRunningDefinitionsConnections()
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForPf("eno49-sr-iov", "eno49"));
        var network = new HostdevNetworkState("eno49-sr-iov", true, false, true, definition, definition with { Addresses = Eno49Vfs, Connections = 3 }, null);

        Assert.Equal(3, Describe(network, [], Eno49()).InUse);
    }
}
