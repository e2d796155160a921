using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// The ethtool family's features requests compared byte for byte with messages written out from
/// ethtool_netlink.h, and replies built the way features_fill_reply and ethnl_put_bitset32 fill them:
/// verbose bitsets, HW with a mask of every feature, WANTED/ACTIVE/NOCHANGE without one (NOMASK).
/// </summary>
public sealed class EthtoolFeaturesTests
{
    private const ushort Family = 0x1a;

    // "hw-tc-offload\0": 14 bytes, an 18-byte attribute padded to 20.
    private const string HwTcOffloadName = "1200 0200 68772d74632d6f66666c6f616400 0000";

    [Fact]
    public void FeaturesGet_NamesTheDeviceInANestedHeader_WithoutFlags()
    {
        // ethtool -k eth0
        var request = EthtoolFeatures.BuildGet(Family, "eth0");
        request.SetSequence(1, 0);

        var expected = Hex.Bytes(
            // nlmsghdr: len 36, the ethtool family's id, NLM_F_REQUEST, seq 1
            "24000000 1a00 0100 01000000 00000000" +
            // genlmsghdr: ETHTOOL_MSG_FEATURES_GET (11), ETHTOOL_GENL_VERSION 1
            "0b 01 0000" +
            // ETHTOOL_A_FEATURES_HEADER (1|NLA_F_NESTED) > ETHTOOL_A_HEADER_DEV_NAME (2) "eth0\0"
            "1000 0180" + "0900 0200 6574683000 000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
        Assert.Equal("ETHTOOL_MSG_FEATURES_GET", request.Operation);
    }

    [Fact]
    public void FeaturesSet_On_IsOneMaskedBitByName_WithTheValueFlag()
    {
        // ethtool -K eth0 hw-tc-offload on
        var request = EthtoolFeatures.BuildSet(Family, "eth0", "hw-tc-offload", on: true);
        request.SetSequence(2, 0);

        var expected = Hex.Bytes(
            "48000000 1a00 0100 02000000 00000000" +
            // ETHTOOL_MSG_FEATURES_SET (12)
            "0c 01 0000" +
            "1000 0180" + "0900 0200 6574683000 000000" +
            // ETHTOOL_A_FEATURES_WANTED (3|NESTED) > ETHTOOL_A_BITSET_BITS (3|NESTED) > ETHTOOL_A_BITSET_BITS_BIT (1|NESTED)
            "2400 0380" + "2000 0380" + "1c00 0180" +
            // ETHTOOL_A_BITSET_BIT_NAME (2), ETHTOOL_A_BITSET_BIT_VALUE (3, flag); no NOMASK: the other features stay
            HwTcOffloadName + "0400 0300");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
        Assert.Equal("ETHTOOL_MSG_FEATURES_SET", request.Operation);
    }

    [Fact]
    public void FeaturesSet_Off_IsTheSameBitWithoutTheValueFlag()
    {
        var request = EthtoolFeatures.BuildSet(Family, "eth0", "hw-tc-offload", on: false);
        request.SetSequence(3, 0);

        var expected = Hex.Bytes(
            "44000000 1a00 0100 03000000 00000000" + "0c 01 0000" +
            "1000 0180" + "0900 0200 6574683000 000000" +
            "2000 0380" + "1c00 0380" + "1800 0180" + HwTcOffloadName);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void GetReply_GivesTheFourSets_AndHwTcOffloadChangeableAndOff()
    {
        var sets = EthtoolFeatures.DecodeGet(GetReply(hwTcOffloadOn: false, fixedTc: false), Family);

        Assert.Equal(["hw-tc-offload", "rx-gro"], Sorted(sets.Hardware));
        Assert.Equal(["rx-gro"], Sorted(sets.Active));
        Assert.Equal(["rx-gro"], Sorted(sets.Wanted));
        Assert.Equal(["tx-lockless"], Sorted(sets.NoChange));
        Assert.True(sets.IsChangeable("hw-tc-offload"));
        Assert.False(sets.IsChangeable("tx-lockless"));
    }

    [Fact]
    public void GetReply_OfAFixedFeature_IsNotChangeable()
    {
        var sets = EthtoolFeatures.DecodeGet(GetReply(hwTcOffloadOn: true, fixedTc: true), Family);

        Assert.Contains("hw-tc-offload", sets.Active);
        Assert.False(sets.IsChangeable("hw-tc-offload"));
    }

    [Fact]
    public void GetReply_WithoutAnActiveSet_IsADecodeError()
    {
        var reply = new NetlinkMessageBuilder(Family, 0);
        reply.AppendGenericHeader(Ethtool.ETHTOOL_MSG_FEATURES_GET_REPLY, 1);
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_HW, noMask: true, ("rx-gro", true));

        Assert.Throws<NetlinkDecodeException>(() => EthtoolFeatures.DecodeGet(reply.Message.ToArray(), Family));
    }

    [Fact]
    public void GetReply_OfAnotherCommand_IsADecodeError()
    {
        var reply = GetReply(false, false);
        reply[16] = Ethtool.ETHTOOL_MSG_FEATURES_SET_REPLY;

        var error = Assert.Throws<NetlinkDecodeException>(() => EthtoolFeatures.DecodeGet(reply, Family));
        Assert.Contains("command 12", error.Message);
    }

    [Fact]
    public void SetReply_ListsTheFeaturesNotAsAsked_ByTheirMask()
    {
        var reply = new NetlinkMessageBuilder(Family, 0);
        reply.AppendGenericHeader(Ethtool.ETHTOOL_MSG_FEATURES_SET_REPLY, 1);
        AppendHeader(reply);
        // WANTED: the bits whose result differs from the request, valued as requested.
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_WANTED, noMask: false, ("hw-tc-offload", true));
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_ACTIVE, noMask: false);

        Assert.Equal(["hw-tc-offload"], Sorted(EthtoolFeatures.DecodeSetDifferences(reply.Message.ToArray(), Family)));
    }

    [Fact]
    public void Bitset_SkipsCompactArraysUnknownAttributesAndNamelessBits()
    {
        var bitset = new NetlinkMessageBuilder(0, 0);
        bitset.AppendUInt32(Ethtool.ETHTOOL_A_BITSET_SIZE, 64);
        bitset.Append(Ethtool.ETHTOOL_A_BITSET_VALUE, new byte[8]);
        bitset.AppendUInt32(42, 7);
        int bits = bitset.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS | 0x8000);
        int nameless = bitset.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS_BIT | 0x8000);
        bitset.AppendUInt32(Ethtool.ETHTOOL_A_BITSET_BIT_INDEX, 3);
        bitset.AppendAttribute(Ethtool.ETHTOOL_A_BITSET_BIT_VALUE, 0);
        bitset.EndNested(nameless);
        AppendBit(bitset, 55, "hw-tc-offload", value: true);
        bitset.EndNested(bits);

        var decoded = EthtoolFeatures.DecodeBitset(bitset.Message[16..], "test");

        Assert.Equal(["hw-tc-offload"], Sorted(decoded.Set));
    }

    [Fact]
    public void Bitset_OnlyCompact_IsADecodeError_NotAnEmptySet()
    {
        var bitset = new NetlinkMessageBuilder(0, 0);
        bitset.AppendUInt32(Ethtool.ETHTOOL_A_BITSET_SIZE, 64);
        bitset.Append(Ethtool.ETHTOOL_A_BITSET_VALUE, new byte[8]);
        bitset.Append(Ethtool.ETHTOOL_A_BITSET_MASK, new byte[8]);

        Assert.Throws<NetlinkDecodeException>(() => EthtoolFeatures.DecodeBitset(bitset.Message[16..], "test"));
    }

    [Fact]
    public void Bitset_BitIndexShorterThanAU32_IsADecodeError()
    {
        var bitset = new NetlinkMessageBuilder(0, 0);
        int bits = bitset.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS);
        int bit = bitset.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS_BIT);
        bitset.AppendUInt16(Ethtool.ETHTOOL_A_BITSET_BIT_INDEX, 3);
        bitset.EndNested(bit);
        bitset.EndNested(bits);

        Assert.Throws<NetlinkDecodeException>(() => EthtoolFeatures.DecodeBitset(bitset.Message[16..], "test"));
    }

    [Fact]
    public void GetReply_EveryTruncationAnd5000CorruptedCopies_OnlyEverThrowNetlinkDecodeException()
    {
        var seed = GetReply(true, false);
        var unexpected = new List<string>();
        for (int length = 0; length < seed.Length; length++)
        {
            var cut = seed.AsSpan(0, length).ToArray();
            if (cut.Length >= 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(cut, (uint)cut.Length);
            }

            Try(cut, unexpected);
        }

        var random = new Random(20260331);
        for (int i = 0; i < 5000; i++)
        {
            var buffer = (byte[])seed.Clone();
            for (int c = 1 + random.Next(4); c > 0; c--)
            {
                buffer[16 + random.Next(buffer.Length - 16)] ^= (byte)(1 << random.Next(8));
            }

            Try(buffer, unexpected);
        }

        Assert.Empty(unexpected);
    }

    private static void Try(byte[] reply, List<string> unexpected)
    {
        try
        {
            EthtoolFeatures.DecodeGet(reply, Family);
        }
        catch (NetlinkDecodeException)
        {
        }
        catch (Exception e)
        {
            unexpected.Add($"{e.GetType().Name}: {e.Message} — {Hex.Of(reply)}");
        }
    }

    /// <summary>A FEATURES_GET_REPLY for eth0 with rx-gro on, hw-tc-offload changeable (or fixed) and tx-lockless fixed.</summary>
    internal static byte[] GetReply(bool hwTcOffloadOn, bool fixedTc)
    {
        var reply = new NetlinkMessageBuilder(Family, 0);
        reply.AppendGenericHeader(Ethtool.ETHTOOL_MSG_FEATURES_GET_REPLY, 1);
        AppendHeader(reply);
        // HW: every feature listed (the mask is all of them), VALUE where the driver lets it change.
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_HW, noMask: false, ("rx-gro", true), ("hw-tc-offload", true), ("tx-lockless", false));
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_WANTED, noMask: true, hwTcOffloadOn ? [("rx-gro", true), ("hw-tc-offload", true)] : [("rx-gro", true)]);
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_ACTIVE, noMask: true, hwTcOffloadOn ? [("rx-gro", true), ("hw-tc-offload", true)] : [("rx-gro", true)]);
        AppendBitset(reply, Ethtool.ETHTOOL_A_FEATURES_NOCHANGE, noMask: true, fixedTc ? [("tx-lockless", true), ("hw-tc-offload", true)] : [("tx-lockless", true)]);
        reply.SetSequence(5, 0x1234);
        return reply.Message.ToArray();
    }

    private static void AppendHeader(NetlinkMessageBuilder reply)
    {
        int header = reply.BeginNested(Ethtool.ETHTOOL_A_FEATURES_HEADER | 0x8000);
        reply.AppendUInt32(Ethtool.ETHTOOL_A_HEADER_DEV_INDEX, 2);
        reply.AppendString(Ethtool.ETHTOOL_A_HEADER_DEV_NAME, "eth0");
        reply.EndNested(header);
    }

    private static void AppendBitset(NetlinkMessageBuilder message, ushort type, bool noMask, params (string Name, bool Value)[] bits)
    {
        int bitset = message.BeginNested((ushort)(type | 0x8000));
        if (noMask)
        {
            message.AppendAttribute(Ethtool.ETHTOOL_A_BITSET_NOMASK, 0);
        }

        message.AppendUInt32(Ethtool.ETHTOOL_A_BITSET_SIZE, 66);
        int list = message.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS | 0x8000);
        uint index = 0;
        foreach (var (name, value) in bits)
        {
            AppendBit(message, index++, name, value && !noMask);
        }

        message.EndNested(list);
        message.EndNested(bitset);
    }

    private static void AppendBit(NetlinkMessageBuilder message, uint index, string name, bool value)
    {
        int bit = message.BeginNested(Ethtool.ETHTOOL_A_BITSET_BITS_BIT | 0x8000);
        message.AppendUInt32(Ethtool.ETHTOOL_A_BITSET_BIT_INDEX, index);
        message.AppendString(Ethtool.ETHTOOL_A_BITSET_BIT_NAME, name);
        if (value)
        {
            message.AppendAttribute(Ethtool.ETHTOOL_A_BITSET_BIT_VALUE, 0);
        }

        message.EndNested(bit);
    }

    private static List<string> Sorted(IEnumerable<string> names)
    {
        var list = new List<string>(names);
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
