using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using SriovPS.Build;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Real RTM_NEWLINK replies kept as test data (Captures/, written in the SR-IOV lab by
/// tests/lab/guest/netlink-capture.sh on Linux 6.12), decoded and held to iproute2's reading of the
/// same state, which was captured beside them.
/// </summary>
public sealed class KernelCaptureTests
{
    public static TheoryData<string> Captures => new() { "igb", "netdevsim" };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Decode_RealReply_EqualsIpJsonForTheLinkAndEveryVf(string name)
    {
        var ip = Json(name);
        var link = LinkMessage.Decode(Capture(name));

        IpLinkExpectations.AssertLinkMatches(ip, link);
        IpLinkExpectations.AssertVfsMatch(ip, link);
        Assert.Equal(link.Vfs.Count, link.NumVfs);
        Assert.False(link.VfListTruncated);
        Assert.All(link.Vfs, vf => Assert.Null(vf.Statistics));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Decode_RealReplyWithStatistics_HasTheSameSettingsAndEveryCounter(string name)
    {
        var ip = Json(name);
        var link = LinkMessage.Decode(Capture(name + "-stats"));

        IpLinkExpectations.AssertVfsMatch(ip, link);
        Assert.All(link.Vfs, vf => Assert.NotNull(vf.Statistics));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void EncodeOfDecode_RealReply_GivesBackTheVfListBytes(string name)
    {
        // Our encoder writes only the attributes the module reads, so compare the VF lists, which it writes whole.
        foreach (var file in new[] { name, name + "-stats" })
        {
            var original = Capture(file);
            var link = LinkMessage.Decode(original);
            var encoded = LinkMessageEncoder.Encode(link).Message.ToArray();
            Assert.Equal(Hex.Of(VfList(original)), Hex.Of(VfList(encoded)));
        }
    }

    [Fact]
    public void Decode_Igb_ReadsTheSeedsSettings()
    {
        var link = LinkMessage.Decode(Capture("igb"));
        var vf0 = link.Vfs.Single(vf => vf.Index == 0);

        Assert.Equal("eth0", link.Name);
        Assert.Equal(7, link.NumVfs);
        Assert.Equal("02:53:52:00:00:10", IpLinkExpectations.Mac(vf0.MacAddress));
        Assert.Equal((42u, 3u, IfLink.EthP8021Q), (vf0.Vlan!.Value, vf0.Qos!.Value, vf0.VlanProtocol!.Value));
        Assert.True(vf0.SpoofCheck);
        Assert.True(vf0.Trust);
        Assert.Null(vf0.RssQuery);
    }

    [Fact]
    public void Decode_Netdevsim256Vfs_WithoutStatistics_HasEveryVf()
    {
        var bytes = Capture("netdevsim-256");
        var link = LinkMessage.Decode(bytes);

        Assert.True(bytes.Length > 32 * 1024, $"{bytes.Length} bytes");
        Assert.Equal(256, link.NumVfs);
        Assert.Equal(Enumerable.Range(0, 256), link.Vfs.Select(vf => vf.Index));
        Assert.False(link.VfListTruncated);
        Assert.Equal("02:53:52:00:02:ff", IpLinkExpectations.Mac(link.Vfs[255].MacAddress));
    }

    [Fact]
    public void Decode_Netdevsim256Vfs_WithStatistics_ReportsTheKernelsOverflowedList()
    {
        // 77 KB of VF entries in a 16-bit attribute length: the kernel wrapped it, and iproute2
        // printed "Truncated VF list" and the same 34 entries.
        var bytes = Capture("netdevsim-256-stats");
        var link = LinkMessage.Decode(bytes);

        Assert.True(bytes.Length > 64 * 1024, $"{bytes.Length} bytes");
        Assert.Equal(256, link.NumVfs);
        Assert.True(link.VfListTruncated);
        Assert.Equal(Json("netdevsim-256").GetProperty("vfinfo_list").GetArrayLength(), link.Vfs.Count);
        Assert.Equal(Enumerable.Range(0, link.Vfs.Count), link.Vfs.Select(vf => vf.Index));
        IpLinkExpectations.AssertVfsMatch(Json("netdevsim-256"), link);
        Assert.Equal("eth10", link.Name);
    }

    internal static byte[] Capture(string name) =>
        NetlinkCapture.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Netlink", "Captures", name + ".hex")));

    private static JsonElement Json(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Netlink", "Captures", name + ".json"))).RootElement[0].Clone();

    /// <summary>The IFLA_VFINFO_LIST attribute's bytes, found by walking the top-level attributes.</summary>
    private static byte[] VfList(byte[] message)
    {
        int offset = 32;
        while (offset + 4 <= message.Length)
        {
            int length = BitConverter.ToUInt16(message, offset);
            int type = BitConverter.ToUInt16(message, offset + 2) & 0x3fff;
            if (type == IfLink.IFLA_VFINFO_LIST)
            {
                return message.AsSpan(offset, length).ToArray();
            }

            offset += (length + 3) & ~3;
        }

        throw new InvalidOperationException("no IFLA_VFINFO_LIST");
    }
}
