using System.Globalization;
using System.Linq;
using System.Text.Json;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Holds a decoded RTM_NEWLINK to iproute2's reading of the same kernel state (<c>ip -j -d link show</c>),
/// attribute by attribute, in iproute2's conventions: zero VLAN and QoS are left out, the protocol is
/// printed only when it is not 802.1Q, settings the driver does not report are left out.
/// </summary>
internal static class IpLinkExpectations
{
    public static void AssertLinkMatches(JsonElement ip, LinkInfo ours)
    {
        Assert.Equal(ip.GetProperty("ifindex").GetInt32(), ours.Index);
        Assert.Equal(ip.GetProperty("ifname").GetString(), ours.Name);
        Assert.Equal((uint)ip.GetProperty("mtu").GetInt32(), ours.Mtu);
        Assert.Equal(ip.GetProperty("address").GetString(), Mac(ours.Address));
        Assert.Equal(ip.GetProperty("broadcast").GetString(), Mac(ours.Broadcast));
        Assert.Equal(ip.GetProperty("operstate").GetString(), OperStateName(ours.OperState));
    }

    /// <summary>Every VF iproute2 printed, matched by its number, has exactly our values.</summary>
    public static void AssertVfsMatch(JsonElement ip, LinkInfo ours)
    {
        var printed = ip.TryGetProperty("vfinfo_list", out var list) ? list.EnumerateArray().ToList() : [];
        Assert.Equal(printed.Count, ours.Vfs.Count);
        var byIndex = ours.Vfs.ToDictionary(vf => vf.Index);
        foreach (var expected in printed)
        {
            int index = expected.GetProperty("vf").GetInt32();
            Assert.True(byIndex.TryGetValue(index, out var vf), $"VF {index} missing from our decode");
            AssertVfMatches(expected, vf!);
        }
    }

    public static void AssertVfMatches(JsonElement ip, VfInfo vf)
    {
        string where = $"VF {vf.Index}: ";
        Assert.True(ip.GetProperty("address").GetString() == Mac(vf.MacAddress), where + "address");
        Assert.True(ip.GetProperty("broadcast").GetString() == Mac(vf.Broadcast), where + "broadcast");

        var vlan = ip.GetProperty("vlan_list")[0];
        Assert.True(Number(vlan, "vlan") == vf.Vlan, where + $"vlan {Number(vlan, "vlan")} vs {vf.Vlan}");
        Assert.True(Number(vlan, "qos") == vf.Qos, where + $"qos {Number(vlan, "qos")} vs {vf.Qos}");
        // iproute2 names the protocol only for 802.1ad; drivers that keep no protocol (netdevsim) send 0.
        bool printed802Dot1ad = vlan.TryGetProperty("protocol", out var p) && p.GetString() == "802.1ad";
        Assert.True(vf.VlanProtocol is not null, where + "protocol missing");
        Assert.True(printed802Dot1ad == (vf.VlanProtocol == IfLink.EthP8021AD), where + $"protocol {vf.VlanProtocol:x4}");

        var rate = ip.GetProperty("rate");
        Assert.True(Number(rate, "max_tx") == vf.MaxTxRate, where + "max_tx_rate");
        Assert.True(Number(rate, "min_tx") == vf.MinTxRate, where + "min_tx_rate");
        Assert.True(Number(ip, "tx_rate") == vf.TxRate, where + "tx_rate");

        Assert.True(Flag(ip, "spoofchk") == vf.SpoofCheck, where + "spoofchk");
        Assert.True(Flag(ip, "trust") == vf.Trust, where + "trust");
        Assert.True(Flag(ip, "query_rss_en") == vf.RssQuery, where + "query_rss_en");
        Assert.True(ip.GetProperty("link_state").GetString() == LinkStateName(vf.LinkState), where + "link_state");
    }

    public static string Mac(byte[]? address) =>
        address is null ? "-" : string.Join(':', address.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>iproute2's names for IF_OPER_* (include/uapi/linux/if.h).</summary>
    public static string OperStateName(byte? state) => state switch
    {
        0 => "UNKNOWN",
        1 => "NOTPRESENT",
        2 => "DOWN",
        3 => "LOWERLAYERDOWN",
        4 => "TESTING",
        5 => "DORMANT",
        6 => "UP",
        _ => "?",
    };

    private static string LinkStateName(uint? state) => state switch
    {
        IfLink.IFLA_VF_LINK_STATE_AUTO => "auto",
        IfLink.IFLA_VF_LINK_STATE_ENABLE => "enable",
        IfLink.IFLA_VF_LINK_STATE_DISABLE => "disable",
        _ => "?",
    };

    /// <summary>A number iproute2 prints only when non-zero.</summary>
    private static uint Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetUInt32() : 0;

    /// <summary>A setting iproute2 prints only when the driver reports it.</summary>
    private static bool? Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetBoolean() : null;
}
