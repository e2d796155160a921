using System;
using System.Linq;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// RTM_NEWLINK messages written out by hand from the struct layouts of include/uapi/linux/netlink.h,
/// rtnetlink.h and if_link.h, decoded to exact values and encoded back to the same bytes.
/// </summary>
public sealed class LinkMessageGoldenTests
{
    // eno49 (ifindex 4, UP|BROADCAST|MULTICAST, mtu 1500, operstate UP, 9c:dc:71:5e:0f:a0) with two VFs,
    // listed VF 1 first: the index comes from each struct's vf field, not from list position.
    internal static readonly string Eno49 =
        "dc010000 1000 0200 05000000 4d000000" +                   // nlmsghdr: 476 bytes, RTM_NEWLINK, NLM_F_MULTI
        "00 00 0100 04000000 03100000 00000000" +                  // ifinfomsg: ARPHRD_ETHER, index 4, flags 0x1003
        "0a00 0300 656e6f343900 0000" +                             // IFLA_IFNAME "eno49"
        "0500 1000 06 000000" +                                     // IFLA_OPERSTATE IF_OPER_UP
        "0800 0400 dc050000" +                                      // IFLA_MTU 1500
        "0a00 0100 9cdc715e0fa0 0000" +                             // IFLA_ADDRESS
        "0800 1500 02000000" +                                      // IFLA_NUM_VF 2
        "8c01 1600" +                                               // IFLA_VFINFO_LIST, 396 bytes
        VfEntry("01000000", "025352000001", vlan: "2a000000", qos: "03000000", min: "00000000", max: "64000000",
            spoof: "01000000", link: "02000000", rss: "ffffffff", trust: "00000000", protocol: "88a8") +
        VfEntry("00000000", "000000000000", vlan: "00000000", qos: "00000000", min: "00000000", max: "00000000",
            spoof: "01000000", link: "00000000", rss: "ffffffff", trust: "ffffffff", protocol: "8100");

    /// <summary>One IFLA_VF_INFO of 196 bytes in the kernel's order (rtnl_fill_vfinfo), statistics skipped.</summary>
    private static string VfEntry(string vf, string mac, string vlan, string qos, string min, string max,
        string spoof, string link, string rss, string trust, string protocol) =>
        "c400 0100" +
        "2800 0100 " + vf + mac + Hex.Zeros(26) +                  // IFLA_VF_MAC: vf, mac[32]
        "2400 0d00 ffffffffffff" + Hex.Zeros(26) +                  // IFLA_VF_BROADCAST: broadcast[32]
        "1000 0200 " + vf + vlan + qos +                            // IFLA_VF_VLAN
        "1000 0600 " + vf + min + max +                             // IFLA_VF_RATE
        "0c00 0300 " + vf + max +                                   // IFLA_VF_TX_RATE
        "0c00 0400 " + vf + spoof +                                 // IFLA_VF_SPOOFCHK
        "0c00 0500 " + vf + link +                                  // IFLA_VF_LINK_STATE
        "0c00 0700 " + vf + rss +                                   // IFLA_VF_RSS_QUERY_EN
        "0c00 0900 " + vf + trust +                                 // IFLA_VF_TRUST
        "1800 0c00" + "1400 0100 " + vf + vlan + qos + protocol + "0000"; // IFLA_VF_VLAN_LIST > IFLA_VF_VLAN_INFO

    [Fact]
    public void Decode_HandWrittenPfWithTwoVfs_ReadsEveryField()
    {
        var link = LinkMessage.Decode(Hex.Bytes(Eno49));

        Assert.Equal((4, (ushort)1, 0x1003u, "eno49"), (link.Index, link.DeviceType, link.Flags, link.Name));
        Assert.Equal(1500u, link.Mtu);
        Assert.Equal((byte)6, link.OperState);
        Assert.Equal("9c:dc:71:5e:0f:a0", IpLinkExpectations.Mac(link.Address));
        Assert.Equal(2, link.NumVfs);
        Assert.False(link.VfListTruncated);
        Assert.Equal([1, 0], link.Vfs.Select(vf => vf.Index));

        var vf1 = link.Vfs[0];
        Assert.Equal("02:53:52:00:00:01", IpLinkExpectations.Mac(vf1.MacAddress));
        Assert.Equal("ff:ff:ff:ff:ff:ff", IpLinkExpectations.Mac(vf1.Broadcast));
        Assert.Equal((42u, 3u, (ushort)0x88a8), (vf1.Vlan!.Value, vf1.Qos!.Value, vf1.VlanProtocol!.Value));
        Assert.Equal((0u, 100u, 100u), (vf1.MinTxRate!.Value, vf1.MaxTxRate!.Value, vf1.TxRate!.Value));
        Assert.Equal(IfLink.IFLA_VF_LINK_STATE_DISABLE, vf1.LinkState);
        Assert.True(vf1.SpoofCheck);
        Assert.False(vf1.Trust);
        Assert.Null(vf1.RssQuery);
        Assert.Null(vf1.Statistics);

        var vf0 = link.Vfs[1];
        Assert.Equal("00:00:00:00:00:00", IpLinkExpectations.Mac(vf0.MacAddress));
        Assert.Equal((ushort)0x8100, vf0.VlanProtocol);
        Assert.Null(vf0.Trust);
        Assert.Equal(IfLink.IFLA_VF_LINK_STATE_AUTO, vf0.LinkState);
    }

    [Fact]
    public void Decode_PermanentAddress_IsReadBesideTheAddress()
    {
        // IFLA_PERM_ADDRESS (54) after IFLA_ADDRESS: a bond's port carries the bond's MAC, and its own stays permanent.
        var sent = new LinkInfo
        {
            Index = 7,
            Name = "eno50",
            Address = [0x9c, 0xdc, 0x71, 0x5e, 0x0f, 0xa0],
            PermanentAddress = [0x9c, 0xdc, 0x71, 0x5e, 0x0f, 0xa1],
        };
        var bytes = LinkMessageEncoder.Encode(sent).Message.ToArray();

        var link = LinkMessage.Decode(bytes);

        Assert.Contains("0a003600" + "9cdc715e0fa1", Hex.Of(bytes));
        Assert.Equal("9cdc715e0fa0", Hex.Of(link.Address));
        Assert.Equal("9cdc715e0fa1", Hex.Of(link.PermanentAddress));
    }

    [Fact]
    public void Encode_OfDecodedGolden_GivesBackTheSameBytes()
    {
        var golden = Hex.Bytes(Eno49);
        var encoded = LinkMessageEncoder.Encode(LinkMessage.Decode(golden));
        var message = encoded.Message;

        // The encoder does not know the received header's flags, sequence and port: compare from the type on.
        Assert.Equal(Hex.Of(golden.AsSpan(0, 6)), Hex.Of(message[..6]));
        Assert.Equal(Hex.Of(golden.AsSpan(16)), Hex.Of(message[16..]));
    }

    [Fact]
    public void Decode_StatisticsWithPadAttributes_ReadsEveryCounterByItsNumber()
    {
        // IFLA_VF_STATS as an architecture without cheap unaligned access sends it: a pad before
        // each u64 that would be misaligned. RX_PACKETS is attribute 0.
        string stats =
            "6800 0800" +
            "0400 0600" + "0c00 0000 0100000000000000" +           // pad, RX_PACKETS 1
            "0c00 0100 0200000000000000" +                          // TX_PACKETS 2
            "0c00 0200 0300000000000000" +                          // RX_BYTES 3
            "0c00 0300 0400000000000000" +                          // TX_BYTES 4
            "0c00 0400 0500000000000000" +                          // BROADCAST 5
            "0c00 0500 0600000000000000" +                          // MULTICAST 6
            "0c00 0700 0700000000000000" +                          // RX_DROPPED 7
            "0c00 0800 ffffffffffffffff";                           // TX_DROPPED 2^64-1
        var link = LinkMessage.Decode(Hex.Bytes(Message("7c00 1600" + "7800 0100" + "0c00 0400 09000000 00000000" + stats)));

        var vf = Assert.Single(link.Vfs);
        Assert.Equal(9, vf.Index);
        Assert.False(vf.SpoofCheck);
        var s = vf.Statistics!;
        Assert.Equal([1ul, 2, 3, 4, 5, 6, 7, ulong.MaxValue],
            new[] { s.RxPackets, s.TxPackets, s.RxBytes, s.TxBytes, s.Broadcast, s.Multicast, s.RxDropped, s.TxDropped });
    }

    [Fact]
    public void Decode_VfListShorterThanNumVf_KeepsWhatFitsAndStopsReadingTheMessage()
    {
        // The kernel's list length wrapped at 64 KiB: the list declares 28 bytes, which hold VF 0's
        // entry and the first 8 bytes of VF 1's; the rest of VF 1 follows where the next top-level
        // attribute should be, and must not be read as one.
        string attributes =
            "0800 1500 03000000" +                                  // IFLA_NUM_VF 3
            "1c00 1600" +                                           // IFLA_VFINFO_LIST, declared 28 bytes
            "1000 0100 0c00 0400 00000000 01000000" +               //   VF 0: spoofchk on
            "1c00 0100 0c00 0400" +                                 //   VF 1, claiming 28 bytes, cut after 8
            "01000000 01000000 0c00 0900 01000000 ffffffff";        // the remainder of VF 1
        var link = LinkMessage.Decode(Hex.Bytes(Message(attributes)));

        Assert.Equal(3, link.NumVfs);
        Assert.True(link.VfListTruncated);
        Assert.Equal(0, Assert.Single(link.Vfs).Index);
        Assert.Equal("eno49", link.Name);
    }

    [Fact]
    public void Decode_WholeListWithAVfLeftOut_IsNotAnOverflow_AndReadsWhatFollows()
    {
        // The driver declined to describe VF 1 (as i40e does while a VF resets): the kernel skips
        // it, and the list is whole, so what follows it is read as usual.
        string attributes =
            "0800 1500 03000000" +                                  // IFLA_NUM_VF 3
            "2400 1600" +                                           // IFLA_VFINFO_LIST, 36 bytes
            "1000 0100 0c00 0400 00000000 01000000" +               //   VF 0
            "1000 0100 0c00 0400 02000000 00000000" +               //   VF 2
            "0800 0400 dc050000";                                   // IFLA_MTU after the list
        var link = LinkMessage.Decode(Hex.Bytes(Message(attributes)));

        Assert.Equal([0, 2], link.Vfs.Select(vf => vf.Index));
        Assert.False(link.VfListTruncated);
        Assert.True(link.VfsMissing);
        Assert.Equal(1500u, link.Mtu);
    }

    [Fact]
    public void Decode_ListWrappedExactlyBetweenEntries_IsAnOverflow()
    {
        // The wrapped length ends on an entry boundary: the next entry sits where a top-level
        // attribute should be, with type 1, which is IFLA_ADDRESS, already read.
        string attributes =
            "0a00 0100 9cdc715e0fa0 0000" +                         // IFLA_ADDRESS
            "0800 1500 02000000" +                                  // IFLA_NUM_VF 2
            "1400 1600" +                                           // IFLA_VFINFO_LIST, declared 20 bytes
            "1000 0100 0c00 0400 00000000 01000000" +               //   VF 0
            "1000 0100 0c00 0400 01000000 01000000";                // VF 1, beyond the declared end
        var link = LinkMessage.Decode(Hex.Bytes(Message(attributes)));

        Assert.Equal(0, Assert.Single(link.Vfs).Index);
        Assert.True(link.VfListTruncated);
        Assert.False(link.VfsMissing);
    }

    [Theory]
    [InlineData("0800 1500 05000000 1000 1600 0300 0100 0c00 0400 00000000", "an entry length below its header, even with VFs to come")]
    [InlineData("0800 0400 dc05", "attribute longer than what remains")]
    [InlineData("0300 0400", "attribute length below its header")]
    [InlineData("0500 0400 dc000000", "IFLA_MTU shorter than a u32")]
    [InlineData("1400 1600 0c00 0100 0c00 0400 01000000 01000000", "VF attribute overruns its entry")]
    [InlineData("1800 1600 1400 0100 0800 0400 01000000 0c00 0900 01000000", "IFLA_VF_SPOOFCHK shorter than its struct")]
    [InlineData("2000 1600 1c00 0100 0c00 0400 01000000 01000000 0c00 0900 02000000 01000000", "VF entry naming two VFs")]
    [InlineData("1000 1600 0c00 0100 0800 0d00 ffffffff", "VF entry without an index")]
    [InlineData("1000 1600 0c00 0100 0800 0400 ffffffff", "VF number above int range")]
    public void Decode_MalformedAttributes_ThrowDecodeException(string attributes, string what)
    {
        var bytes = Hex.Bytes(Message(attributes));
        Assert.True(Throws(bytes), what);
    }

    [Fact]
    public void Decode_HeaderProblems_ThrowDecodeException()
    {
        var golden = Hex.Bytes(Eno49);
        Assert.True(Throws(golden.AsSpan(0, 31).ToArray()), "shorter than the fixed headers");
        Assert.True(Throws(golden.AsSpan(0, 100).ToArray()), "nlmsg_len beyond the bytes received");

        var wrongType = (byte[])golden.Clone();
        wrongType[4] = 18;
        Assert.True(Throws(wrongType), "RTM_GETLINK is not a reply");
    }

    /// <summary>A minimal RTM_NEWLINK for eno49 (index 4) followed by <paramref name="attributes"/>.</summary>
    private static string Message(string attributes)
    {
        string body = "00 00 0100 04000000 00000000 00000000" + "0a00 0300 656e6f343900 0000" + attributes;
        int length = 16 + Hex.Bytes(body).Length;
        return $"{length & 0xff:x2}{length >> 8:x2}0000 1000 0000 00000000 00000000" + body;
    }

    private static bool Throws(byte[] bytes)
    {
        try
        {
            LinkMessage.Decode(bytes);
            return false;
        }
        catch (NetlinkDecodeException)
        {
            return true;
        }
    }
}
