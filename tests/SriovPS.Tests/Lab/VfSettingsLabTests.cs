using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// VF settings read over our netlink socket from a real kernel: set first with <c>ip link set … vf N …</c>,
/// then our decode (and the objects Get-SriovVf outputs) held to <c>ip -j -d link show</c>, attribute by
/// attribute, on igb and on netdevsim (which also keeps link state and both rates).
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class VfSettingsLabTests(VfSettingsLabTests.ConfiguredIgb igb) : IClassFixture<VfSettingsLabTests.ConfiguredIgb>
{
    /// <summary>The first igb PF with 7 VFs, configured as the seeds configure theirs; 0 VFs afterwards.</summary>
    public sealed class ConfiguredIgb() : IgbPfWithVfs(0)
    {
        protected override void Configure()
        {
            LabHost.Ip("link", "set", Name, "up");
            LabHost.Ip("link", "set", Name, "vf", "0", "mac", "02:53:52:00:00:10", "vlan", "42", "qos", "3", "spoofchk", "on", "trust", "on");
            LabHost.Ip("link", "set", Name, "vf", "1", "mac", "02:53:52:00:00:11", "spoofchk", "off");
            LabHost.Ip("link", "set", Name, "vf", "2", "vlan", "100");
            LabHost.Ip("link", "set", Name, "vf", "6", "vlan", "4095", "qos", "7", "trust", "on");
        }
    }

    [SkippableFact]
    public void Igb_DecodedReply_EqualsIpForTheLinkAndEveryVfAttribute()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var socket = NetlinkSocket.Open();
        foreach (bool statistics in new[] { false, true })
        {
            var link = LinkQueries.Get(socket, igb.Name, LinkQueries.ExtMask(vfs: true, statistics));
            var ip = IpDetails(igb.Name);

            IpLinkExpectations.AssertLinkMatches(ip, link);
            IpLinkExpectations.AssertVfsMatch(ip, link);
            Assert.Equal(7, link.NumVfs);
            Assert.Equal(statistics, link.Vfs.All(vf => vf.Statistics is not null));
        }
    }

    [SkippableFact]
    public void Igb_GetVfs_FillsEverySettingFromOneRequestForThePf()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var errors = new List<SriovException>();
        using var links = new KernelLinks(new CallbackReport(fail: errors.Add));
        var discovery = new SriovDiscovery(new HostFileSystem("/"), links: links);
        var pf = discovery.GetPfs().Single(p => p.PciAddress == igb.PciAddress);

        var vfs = discovery.GetVfs(pf);

        Assert.Empty(errors);
        Assert.Equal(1, links.Requests);
        Assert.Equal(7, vfs.Count);
        var printed = IpDetails(igb.Name).GetProperty("vfinfo_list").EnumerateArray().ToDictionary(v => v.GetProperty("vf").GetInt32());
        foreach (var vf in vfs)
        {
            AssertVfObjectMatches(printed[vf.Index], vf);
        }

        var vf0 = vfs[0];
        Assert.Equal(("02:53:52:00:00:10", 42, 3, "802.1Q"), (vf0.MacAddress, vf0.Vlan, vf0.Qos, vf0.VlanProtocol));
        Assert.Equal((true, true), (vf0.SpoofCheck, vf0.Trust));
        Assert.Equal((4095, 7), (vfs[6].Vlan, vfs[6].Qos));
        Assert.Null(vfs[3].VlanProtocol);
    }

    [SkippableFact]
    public void Igb_GetPfsWithKernelState_FollowsTheLinkDownAndUp()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var links = new KernelLinks();
        var discovery = new SriovDiscovery(new HostFileSystem("/"), links: links);
        try
        {
            LabHost.Ip("link", "set", igb.Name, "down");
            var down = discovery.GetPfs(kernelState: true).Single(p => p.Name == igb.Name);
            Assert.Equal((LinkState.Down, SriovSupport.PfLinkDown), (down.LinkState!.Value, down.SriovSupport));

            LabHost.Ip("link", "set", igb.Name, "mtu", "9000", "up");

            // The operational state follows the administrative one on its own time: compare once it has.
            LabHost.WaitUntil(() => IpDetails(igb.Name).GetProperty("operstate").GetString() == "UP", $"{igb.Name} operationally up");
            var up = discovery.GetPfs(kernelState: true).Single(p => p.Name == igb.Name);
            var ip = IpDetails(igb.Name);
            Assert.Equal(ip.GetProperty("operstate").GetString(), up.LinkState?.ToString().ToUpperInvariant());
            Assert.Equal(9000, up.Mtu);
            Assert.Equal(ip.GetProperty("address").GetString(), up.MacAddress);
            Assert.NotEqual(SriovSupport.PfLinkDown, up.SriovSupport);
        }
        finally
        {
            LabHost.Ip("link", "set", igb.Name, "mtu", "1500", "up");
        }
    }

    [SkippableFact]
    public void Netdevsim_DecodedReply_EqualsIpForEveryVfAttributeIncludingLinkStateAndRates()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var nsim = new NetdevsimLab(20, 8);
        LabHost.Ip("link", "set", nsim.Name, "vf", "0", "mac", "02:53:52:00:01:00", "vlan", "42", "qos", "3", "proto", "802.1ad",
            "spoofchk", "on", "trust", "on", "state", "enable", "min_tx_rate", "100", "max_tx_rate", "1000", "query_rss", "on");
        LabHost.Ip("link", "set", nsim.Name, "vf", "1", "vlan", "4095", "qos", "7", "state", "disable", "max_tx_rate", "10");
        LabHost.Ip("link", "set", nsim.Name, "vf", "5", "state", "auto", "min_tx_rate", "5");
        LabHost.Ip("link", "set", nsim.Name, "vf", "7", "mac", "02:53:52:00:01:07", "vlan", "1", "proto", "802.1Q");

        using var socket = NetlinkSocket.Open();
        var link = LinkQueries.Get(socket, nsim.Name, LinkQueries.ExtMask(vfs: true, statistics: false));
        var ip = IpDetails(nsim.Name);

        IpLinkExpectations.AssertLinkMatches(ip, link);
        IpLinkExpectations.AssertVfsMatch(ip, link);
        var vf0 = link.Vfs.Single(vf => vf.Index == 0);
        Assert.Equal((IfLink.EthP8021AD, IfLink.IFLA_VF_LINK_STATE_ENABLE, 100u, 1000u),
            (vf0.VlanProtocol!.Value, vf0.LinkState!.Value, vf0.MinTxRate!.Value, vf0.MaxTxRate!.Value));
        Assert.True(vf0.RssQuery);
        Assert.Equal(IfLink.IFLA_VF_LINK_STATE_DISABLE, link.Vfs.Single(vf => vf.Index == 1).LinkState);
    }

    [SkippableFact]
    public void Netdevsim_256VfsWithStatistics_EverySettingReadAndOneWarningForTheOverflowedCounters()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var nsim = new NetdevsimLab(21, 256);
        LabHost.Ip("link", "set", nsim.Name, "vf", "255", "mac", "02:53:52:00:02:ff", "trust", "on");
        var warnings = new List<string>();
        var errors = new List<SriovException>();
        using var links = new KernelLinks(new CallbackReport(warn: warnings.Add, fail: errors.Add));

        var link = links.ReadWithVfs(nsim.Name, statistics: true)!;

        Assert.Empty(errors);
        Assert.Equal(Enumerable.Range(0, 256), link.Vfs.Select(vf => vf.Index));
        Assert.Equal("02:53:52:00:02:ff", IpLinkExpectations.Mac(link.Vfs[255].MacAddress));
        Assert.True(link.Vfs[255].Trust);
        var counted = link.Vfs.Count(vf => vf.Statistics is not null);
        Assert.InRange(counted, 1, 255);
        Assert.Contains($"first {counted} only", Assert.Single(warnings), StringComparison.Ordinal);
        Assert.Equal(2, links.Requests);
    }

    /// <summary>A <see cref="SriovVf"/> against iproute2's line for it, in the object's own terms.</summary>
    internal static void AssertVfObjectMatches(JsonElement ip, SriovVf vf)
    {
        var vlan = ip.GetProperty("vlan_list")[0];
        int expectedVlan = vlan.TryGetProperty("vlan", out var v) ? v.GetInt32() : 0;
        string where = $"VF {vf.Index}: ";
        Assert.True(ip.GetProperty("address").GetString() == vf.MacAddress, where + "MacAddress");
        Assert.True(expectedVlan == vf.Vlan, where + "Vlan");
        Assert.True((vlan.TryGetProperty("qos", out var q) ? q.GetInt32() : 0) == vf.Qos, where + "Qos");
        string? protocol = expectedVlan == 0 ? null : vlan.TryGetProperty("protocol", out var p) ? p.GetString() : "802.1Q";
        Assert.True(protocol == vf.VlanProtocol, where + "VlanProtocol");
        Assert.True((ip.TryGetProperty("spoofchk", out var s) ? s.GetBoolean() : null) == vf.SpoofCheck, where + "SpoofCheck");
        Assert.True((ip.TryGetProperty("trust", out var t) ? t.GetBoolean() : null) == vf.Trust, where + "Trust");
        Assert.True(ip.GetProperty("link_state").GetString() == vf.LinkState?.ToString().ToLowerInvariant(), where + "LinkState");
        Assert.True(ip.GetProperty("rate").GetProperty("max_tx").GetInt32() == vf.MaxTxRate, where + "MaxTxRate");
        Assert.True(ip.GetProperty("rate").GetProperty("min_tx").GetInt32() == vf.MinTxRate, where + "MinTxRate");
    }

    internal static JsonElement IpDetails(string name) =>
        JsonDocument.Parse(LabHost.Ip("-j", "-d", "link", "show", "dev", name)).RootElement[0].Clone();
}
