using System;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Generic netlink requests compared byte for byte with messages written out from genetlink.h and
/// devlink.h, and replies built the way the kernel fills them (ctrl_fill_info, devlink_nl_eswitch_fill).
/// </summary>
public sealed class GenericNetlinkGoldenTests
{
    /// <summary>The family id the replies below carry; the kernel assigns one at boot.</summary>
    internal const ushort DevlinkFamily = 0x15;

    /// <summary>
    /// The controller's answer for devlink, as ctrl_fill_info orders it: name, id, version, header
    /// size, maximum attribute, then one operation (ESWITCH_GET, flags GENL_ADMIN_PERM|GENL_CMD_CAP_DO).
    /// </summary>
    internal const string DevlinkFamilyReply =
        // nlmsghdr: len 88, GENL_ID_CTRL, flags 0, seq 7, pid 0x1234
        "58000000 1000 0000 07000000 34120000" +
        // genlmsghdr: CTRL_CMD_NEWFAMILY, version 2
        "01 02 0000" +
        // CTRL_ATTR_FAMILY_NAME (2) "devlink\0", CTRL_ATTR_FAMILY_ID (1) u16 0x15 (len 6, padded)
        "0c00 0200 6465766c696e6b00" + "0600 0100 1500 0000" +
        // CTRL_ATTR_VERSION (3) 1, CTRL_ATTR_HDRSIZE (4) 0, CTRL_ATTR_MAXATTR (5) 180
        "0800 0300 01000000" + "0800 0400 00000000" + "0800 0500 b4000000" +
        // CTRL_ATTR_OPS (6, nested) > op 1 > CTRL_ATTR_OP_ID (1) 29, CTRL_ATTR_OP_FLAGS (2) 0x03
        "1800 0680" + "1400 0180" + "0800 0100 1d000000" + "0800 0200 03000000";

    /// <summary>
    /// devlink's answer to ESWITCH_GET for pci/0000:04:00.0 in switchdev mode, with the inline (26)
    /// and encap (62) modes mlx5 adds after it.
    /// </summary>
    internal const string SwitchdevReply =
        "48000000 1500 0000 02000000 34120000" +
        "1d 01 0000" +
        "0800 0100 70636900" + "1100 0200 303030303a30343a30302e30 00 000000" +
        // DEVLINK_ATTR_ESWITCH_MODE (25) u16 1, DEVLINK_ATTR_ESWITCH_INLINE_MODE u8 0, DEVLINK_ATTR_ESWITCH_ENCAP_MODE u8 1
        "0600 1900 0100 0000" + "0500 1a00 00 000000" + "0500 3e00 01 000000";

    [Fact]
    public void GetFamily_ForDevlink_IsTheControllerRequestWithTheName()
    {
        var request = GenericNetlink.BuildGetFamily("devlink");
        request.SetSequence(1, 0x1234);

        var expected = Hex.Bytes(
            // nlmsghdr: len 32, GENL_ID_CTRL (0x10), NLM_F_REQUEST (the socket adds NLM_F_ACK), seq 1, pid 0x1234
            "20000000 1000 0100 01000000 34120000" +
            // genlmsghdr: CTRL_CMD_GETFAMILY (3), version 2, reserved
            "03 02 0000" +
            // CTRL_ATTR_FAMILY_NAME (2): "devlink\0"
            "0c00 0200 6465766c696e6b00");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
        Assert.Equal("CTRL_CMD_GETFAMILY", request.Operation);
        Assert.False(request.IsDump);
    }

    [Fact]
    public void GetFamily_NameLongerThanGenlNamsiz_IsRefusedBeforeSending()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GenericNetlink.BuildGetFamily("sixteen-letters!"));
        // The longest name that fits: 15 bytes and the NUL in a 20-byte attribute after both headers.
        Assert.Equal(16 + 4 + 20, GenericNetlink.BuildGetFamily("fifteen-letters").Length);
    }

    [Fact]
    public void EswitchGet_ForAPciDevice_CarriesBusAndDeviceName()
    {
        // devlink dev eswitch show pci/0000:04:00.0
        var request = DevlinkEswitch.BuildGet(DevlinkFamily, "pci", "0000:04:00.0");
        request.SetSequence(2, 0);

        var expected = Hex.Bytes(
            // nlmsghdr: len 48, the devlink family's id, NLM_F_REQUEST, seq 2
            "30000000 1500 0100 02000000 00000000" +
            // genlmsghdr: DEVLINK_CMD_ESWITCH_GET (29), DEVLINK_GENL_VERSION 1
            "1d 01 0000" +
            // DEVLINK_ATTR_BUS_NAME (1) "pci\0"
            "0800 0100 70636900" +
            // DEVLINK_ATTR_DEV_NAME (2) "0000:04:00.0\0": len 17, padded to 20
            "1100 0200 303030303a30343a30302e30 00 000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
        Assert.Equal("DEVLINK_CMD_ESWITCH_GET", request.Operation);
    }

    [Fact]
    public void EswitchSet_Switchdev_AddsTheModeAsU16()
    {
        // devlink dev eswitch set pci/0000:04:00.0 mode switchdev
        var request = DevlinkEswitch.BuildSet(DevlinkFamily, "pci", "0000:04:00.0", Devlink.DEVLINK_ESWITCH_MODE_SWITCHDEV);
        request.SetSequence(3, 0);

        var expected = Hex.Bytes(
            "38000000 1500 0100 03000000 00000000" +
            // genlmsghdr: DEVLINK_CMD_ESWITCH_SET (30), version 1
            "1e 01 0000" +
            "0800 0100 70636900" +
            "1100 0200 303030303a30343a30302e30 00 000000" +
            // DEVLINK_ATTR_ESWITCH_MODE (25): u16 1, len 6, padded to 8
            "0600 1900 0100 0000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
        Assert.Equal("DEVLINK_CMD_ESWITCH_SET", request.Operation);
    }

    [Fact]
    public void EswitchSet_LegacyOnNetdevsim_NamesTheNetdevsimBus()
    {
        // devlink dev eswitch set netdevsim/netdevsim1 mode legacy
        var request = DevlinkEswitch.BuildSet(0x1b, "netdevsim", "netdevsim1", Devlink.DEVLINK_ESWITCH_MODE_LEGACY);

        var expected = Hex.Bytes(
            "3c000000 1b00 0100 00000000 00000000" +
            "1e 01 0000" +
            // "netdevsim\0" (len 14, padded to 16), "netdevsim1\0" (len 15, padded to 16)
            "0e00 0100 6e657464657673696d00 0000" +
            "0f00 0200 6e657464657673696d3100 00" +
            "0600 1900 0000 0000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void FamilyReply_DecodesTheId()
    {
        var reply = Hex.Bytes(DevlinkFamilyReply);

        Assert.Equal(88, reply.Length);
        Assert.Equal(DevlinkFamily, GenericNetlink.DecodeFamilyId(reply, "devlink"));
    }

    [Fact]
    public void FamilyReply_ForAnotherFamily_IsRefused()
    {
        var error = Assert.Throws<NetlinkDecodeException>(() => GenericNetlink.DecodeFamilyId(Hex.Bytes(DevlinkFamilyReply), "ethtool"));
        Assert.Contains("'devlink' instead", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Without CTRL_ATTR_FAMILY_ID.
    [InlineData("20000000 1000 0000 00000000 00000000 01 02 0000 0c00 0200 6465766c696e6b00")]
    // The id cut to one byte.
    [InlineData("28000000 1000 0000 00000000 00000000 01 02 0000 0c00 0200 6465766c696e6b00 0500 0100 15 000000")]
    // Id 0: below GENL_ID_CTRL.
    [InlineData("28000000 1000 0000 00000000 00000000 01 02 0000 0c00 0200 6465766c696e6b00 0600 0100 0000 0000")]
    // A message of another type than the controller's.
    [InlineData("28000000 1100 0000 00000000 00000000 01 02 0000 0c00 0200 6465766c696e6b00 0600 0100 1500 0000")]
    // nlmsg_len beyond the bytes received.
    [InlineData("64000000 1000 0000 00000000 00000000 01 02 0000 0c00 0200 6465766c696e6b00 0600 0100 1500 0000")]
    // Headers cut: no genlmsghdr.
    [InlineData("12000000 1000 0000 00000000 00000000 0102")]
    // An attribute longer than the message.
    [InlineData("28000000 1000 0000 00000000 00000000 01 02 0000 ff00 0200 6465766c696e6b00 0600 0100 1500 0000")]
    public void FamilyReply_CutOrHostile_IsADecodeError(string reply)
    {
        Assert.Throws<NetlinkDecodeException>(() => GenericNetlink.DecodeFamilyId(Hex.Bytes(reply), "devlink"));
    }

    [Fact]
    public void EswitchReply_DecodesTheMode_AndIgnoresTheOtherEswitchAttributes()
    {
        var reply = Hex.Bytes(SwitchdevReply);

        Assert.Equal(72, reply.Length);
        Assert.Equal(Devlink.DEVLINK_ESWITCH_MODE_SWITCHDEV, DevlinkEswitch.DecodeMode(reply, DevlinkFamily));
    }

    [Fact]
    public void EswitchReply_WithoutAMode_IsNull()
    {
        // A devlink device whose driver has no eswitch_mode_get: the handle only.
        var reply = Hex.Bytes(
            "30000000 1500 0000 02000000 34120000 1d 01 0000" +
            "0800 0100 70636900 1100 0200 303030303a30343a30302e30 00 000000");

        Assert.Null(DevlinkEswitch.DecodeMode(reply, DevlinkFamily));
    }

    [Theory]
    // The mode cut to one byte.
    [InlineData("2c000000 1500 0000 00000000 00000000 1d 01 0000 0800 0100 70636900 0800 0200 30303000 0500 1900 01 000000")]
    // Another family's message.
    [InlineData("2c000000 1600 0000 00000000 00000000 1d 01 0000 0800 0100 70636900 0800 0200 30303000 0600 1900 0100 0000")]
    // Stray bytes after the last attribute.
    [InlineData("26000000 1500 0000 00000000 00000000 1d 01 0000 0800 0100 70636900 0800 0200 30303000 0600")]
    // An attribute whose length is below its own header.
    [InlineData("2c000000 1500 0000 00000000 00000000 1d 01 0000 0800 0100 70636900 0200 0200 30303000 0600 1900 0100 0000")]
    public void EswitchReply_CutOrHostile_IsADecodeError(string reply)
    {
        Assert.Throws<NetlinkDecodeException>(() => DevlinkEswitch.DecodeMode(Hex.Bytes(reply), DevlinkFamily));
    }
}
