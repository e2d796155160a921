using SriovPS.Native;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>Requests compared byte for byte with messages written out from the kernel's struct layouts.</summary>
public sealed class NetlinkRequestGoldenTests
{
    [Fact]
    public void GetLinkByName_WithVfsAndNoStatistics_IsExactlyTheKernelLayout()
    {
        var request = LinkQueries.BuildGet(0, "eno49", LinkQueries.ExtMask(vfs: true, statistics: false));
        request.SetSequence(1, 0x1234);

        var expected = Hex.Bytes(
            // nlmsghdr: len 52, RTM_GETLINK (18), NLM_F_REQUEST, seq 1, pid 0x1234
            "34000000 1200 0100 01000000 34120000" +
            // ifinfomsg: family AF_UNSPEC, pad, type 0, index 0, flags 0, change 0
            "00 00 0000 00000000 00000000 00000000" +
            // IFLA_IFNAME (3), len 10 ("eno49" + NUL), padded to 12
            "0a00 0300 656e6f3439 00 0000" +
            // IFLA_EXT_MASK (29) = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS
            "0800 1d00 09000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void GetLinkByIndex_WithStatistics_CarriesTheIndexAndOnlyTheVfFilter()
    {
        var request = LinkQueries.BuildGet(7, null, LinkQueries.ExtMask(vfs: true, statistics: true));
        request.SetSequence(0x01020304, 0);

        var expected = Hex.Bytes(
            "28000000 1200 0100 04030201 00000000" +
            "00 00 0000 07000000 00000000 00000000" +
            "0800 1d00 01000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void DumpLinks_SetsRootAndMatchFlags_AndSkipsStatistics()
    {
        var request = LinkQueries.BuildDump(LinkQueries.ExtMask(vfs: false, statistics: false));

        var expected = Hex.Bytes(
            "28000000 1200 0103 00000000 00000000" +
            "00 00 0000 00000000 00000000 00000000" +
            "0800 1d00 08000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void VfSettingAttributes_AreTheIfLinkStructsInsideIfVfInfo()
    {
        // ip link set eno49 vf 3 vlan 42 qos 3 proto 802.1ad spoofchk on: what Set-SriovVf will send.
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_SETLINK, NetlinkProtocol.NLM_F_REQUEST);
        request.AppendInterfaceInfo(4);
        int list = request.BeginNested(IfLink.IFLA_VFINFO_LIST);
        int entry = request.BeginNested(IfLink.IFLA_VF_INFO);
        VfAttributeWriter.VlanList(request, 3, 42, 3, IfLink.EthP8021AD);
        VfAttributeWriter.SpoofCheck(request, 3, true);
        VfAttributeWriter.Mac(request, 3, Hex.Bytes("02 53 52 00 00 03"));
        VfAttributeWriter.Rate(request, 3, 10, 1000);
        request.EndNested(entry);
        request.EndNested(list);

        var expected = Hex.Bytes(
            "84000000 1300 0100 00000000 00000000" +
            "00 00 0000 04000000 00000000 00000000" +
            // IFLA_VFINFO_LIST (22) > IFLA_VF_INFO (1)
            "6400 1600" + "6000 0100" +
            // IFLA_VF_VLAN_LIST (12) > IFLA_VF_VLAN_INFO (1): vf 3, vlan 42, qos 3, ETH_P_8021AD big-endian, 2 bytes tail padding
            "1800 0c00" + "1400 0100 03000000 2a000000 03000000 88a8 0000" +
            // IFLA_VF_SPOOFCHK (4): vf 3, on
            "0c00 0400 03000000 01000000" +
            // IFLA_VF_MAC (1): vf 3, 32-byte address array
            "2800 0100 03000000 025352000003" + Hex.Zeros(26) +
            // IFLA_VF_RATE (6): vf 3, min 10, max 1000
            "1000 0600 03000000 0a000000 e8030000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void SetVf_OneAttribute_IsTheLinkByNameWithOneVfInfoEntry()
    {
        // ip link set eno49 vf 3 trust on
        var request = LinkChanges.BuildSetVf("eno49", b => VfAttributeWriter.Trust(b, 3, true));
        request.SetSequence(2, 0);

        var expected = Hex.Bytes(
            // nlmsghdr: len 64, RTM_SETLINK (19), NLM_F_REQUEST (the socket adds NLM_F_ACK), seq 2
            "40000000 1300 0100 02000000 00000000" +
            // ifinfomsg: index 0, so the kernel looks the link up by IFLA_IFNAME
            "00 00 0000 00000000 00000000 00000000" +
            "0a00 0300 656e6f3439 00 0000" +
            // IFLA_VFINFO_LIST (22, len 20) > IFLA_VF_INFO (1, len 16) > IFLA_VF_TRUST (9): vf 3, on
            "1400 1600" + "1000 0100" + "0c00 0900 03000000 01000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void SetAddress_IsTheLinkByIndexWithIflaAddress()
    {
        var request = LinkChanges.BuildSetAddress(9, Hex.Bytes("02 53 52 00 03 05"));
        request.SetSequence(3, 0);

        var expected = Hex.Bytes(
            "2c000000 1300 0100 03000000 00000000" +
            "00 00 0000 09000000 00000000 00000000" +
            // IFLA_ADDRESS (1): six bytes (len 10, padded to 12)
            "0a00 0100 025352000305 0000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void SetAdminState_Up_ChangesOnlyIffUp_ByName()
    {
        var request = LinkChanges.BuildSetAdminState("eno49", up: true);
        request.SetSequence(4, 0);

        var expected = Hex.Bytes(
            "2c000000 1300 0100 04000000 00000000" +
            // ifinfomsg: index 0, ifi_flags IFF_UP, ifi_change IFF_UP
            "00 00 0000 00000000 01000000 01000000" +
            // IFLA_IFNAME (3) "eno49\0" (len 10, padded to 12)
            "0a00 0300 656e6f343900 0000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void SetAdminState_Down_ClearsIffUpUnderTheSameMask()
    {
        var request = LinkChanges.BuildSetAdminState("eno49", up: false);

        // ifi_flags 0, ifi_change IFF_UP
        Assert.Equal("0000000001000000", Hex.Of(request.Message[24..32]));
    }

    [Fact]
    public void SetMtu_IsIflaMtuAsU32_ByName()
    {
        var request = LinkChanges.BuildSetMtu("eno49", 9000);
        request.SetSequence(5, 0);

        var expected = Hex.Bytes(
            "34000000 1300 0100 05000000 00000000" +
            "00 00 0000 00000000 00000000 00000000" +
            "0a00 0300 656e6f343900 0000" +
            // IFLA_MTU (4): 9000
            "0800 0400 28230000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void ExtendedAck_TextAndOffsetReachTheException()
    {
        var error = Hex.Bytes(
            // nlmsghdr: len 64, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, seq 9, pid 77
            "40000000 0200 0003 09000000 4d000000" +
            // error -EINVAL, then the request's nlmsghdr only (capped)
            "eaffffff" + "34000000 1300 0500 09000000 4d000000" +
            // NLMSGERR_ATTR_MSG "VF out of range\0" (len 20), NLMSGERR_ATTR_OFFS 36
            "1400 0100 5646206f7574206f662072616e676500" +
            "0800 0200 24000000");

        Assert.Equal(64, error.Length);
        var thrown = Assert.Throws<NetlinkException>(() => NetlinkSocket.ThrowIfError(error, 0x0300, "RTM_SETLINK"));

        Assert.Equal(Errno.EINVAL, thrown.Errno);
        Assert.Equal("VF out of range", thrown.ExtendedAck);
        Assert.Equal(36, thrown.AttributeOffset);
        Assert.Equal("RTM_SETLINK", thrown.Operation);
        Assert.Contains("errno 22", thrown.Message, System.StringComparison.Ordinal);
        Assert.EndsWith(": VF out of range", thrown.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void ExtendedAck_UncappedEchoOfTheWholeRequest_IsSkippedToReachTheText()
    {
        var error = Hex.Bytes(
            "34000000 0200 0002 01000000 00000000" +
            // error -EOPNOTSUPP, then the whole 24-byte request echoed
            "a1ffffff" + "18000000 1300 0500 01000000 00000000 0800 1d00 01000000" +
            "0800 0100 6e6f0000");

        Assert.Equal(52, error.Length);
        var thrown = Assert.Throws<NetlinkException>(() => NetlinkSocket.ThrowIfError(error, 0x0200, "RTM_SETLINK"));

        Assert.Equal(Errno.EOPNOTSUPP, thrown.Errno);
        Assert.Equal("no", thrown.ExtendedAck);
    }

    [Fact]
    public void Acknowledgement_ErrorZero_DoesNotThrow()
    {
        var ack = Hex.Bytes("24000000 0200 0001 05000000 4d000000 00000000 18000000 1300 0500 05000000 4d000000");
        NetlinkSocket.ThrowIfError(ack, 0x0100, "RTM_SETLINK");
    }

    [Fact]
    public void DumpDone_WithNegativeStatus_Throws()
    {
        var done = Hex.Bytes("14000000 0300 0200 05000000 4d000000 f0ffffff");
        var thrown = Assert.Throws<NetlinkException>(() => NetlinkSocket.ThrowIfError(done, 0x0002, "RTM_GETLINK"));
        Assert.Equal(Errno.EBUSY, thrown.Errno);
    }
}
