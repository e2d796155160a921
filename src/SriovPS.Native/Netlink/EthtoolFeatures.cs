using System.Collections.Generic;

namespace SriovPS.Native.Netlink;

/// <summary>
/// An interface's offload features as ETHTOOL_MSG_FEATURES_GET_REPLY lists them, by the names
/// <c>ethtool -k</c> shows (<c>hw-tc-offload</c>).
/// </summary>
/// <param name="Hardware">ETHTOOL_A_FEATURES_HW: the features the driver lets be turned on or off.</param>
/// <param name="Wanted">ETHTOOL_A_FEATURES_WANTED: the features asked for.</param>
/// <param name="Active">ETHTOOL_A_FEATURES_ACTIVE: the features on now.</param>
/// <param name="NoChange">ETHTOOL_A_FEATURES_NOCHANGE: the features that must not be changed.</param>
internal sealed record EthtoolFeatureSets(
    IReadOnlySet<string> Hardware, IReadOnlySet<string> Wanted, IReadOnlySet<string> Active, IReadOnlySet<string> NoChange)
{
    /// <summary>Whether <paramref name="feature"/> can be turned on or off: <c>ethtool -k</c> shows it without <c>[fixed]</c>.</summary>
    internal bool IsChangeable(string feature) => Hardware.Contains(feature) && !NoChange.Contains(feature);
}

/// <summary>
/// One bitset of the ethtool family in its verbose form: each bit a nest with its index, name and,
/// when the set has a mask, a VALUE flag when the bit is set.
/// </summary>
/// <param name="Set">The names of the bits that are set.</param>
/// <param name="Listed">The names listed: the mask, or the set bits when the bitset has none (NOMASK).</param>
internal sealed record EthtoolBitset(IReadOnlySet<string> Set, IReadOnlySet<string> Listed);

/// <summary>
/// The features requests of the ethtool generic netlink family (Documentation/networking/ethtool-netlink.rst,
/// "FEATURES_GET" and "FEATURES_SET"): <c>ethtool -k DEV</c> and <c>ethtool -K DEV FEATURE on|off</c>.
/// Bitsets are asked and sent verbose (by name), so no string set is needed to read them.
/// </summary>
internal static class EthtoolFeatures
{
    /// <summary>ETHTOOL_MSG_FEATURES_GET: every feature set of <paramref name="interfaceName"/>.</summary>
    internal static NetlinkMessageBuilder BuildGet(ushort family, string interfaceName)
    {
        var request = new NetlinkMessageBuilder(family, NetlinkProtocol.NLM_F_REQUEST, 48) { Operation = Ethtool.CommandName(Ethtool.ETHTOOL_MSG_FEATURES_GET) };
        request.AppendGenericHeader(Ethtool.ETHTOOL_MSG_FEATURES_GET, Ethtool.Version);
        AppendHeader(request, Ethtool.ETHTOOL_A_FEATURES_HEADER, interfaceName);
        return request;
    }

    /// <summary>
    /// ETHTOOL_MSG_FEATURES_SET changing one feature and leaving the others: a verbose
    /// ETHTOOL_A_FEATURES_WANTED bitset with a mask (no NOMASK) of one bit, by name, with the VALUE flag when on.
    /// </summary>
    internal static NetlinkMessageBuilder BuildSet(ushort family, string interfaceName, string feature, bool on)
    {
        var request = new NetlinkMessageBuilder(family, NetlinkProtocol.NLM_F_REQUEST, 96) { Operation = Ethtool.CommandName(Ethtool.ETHTOOL_MSG_FEATURES_SET) };
        request.AppendGenericHeader(Ethtool.ETHTOOL_MSG_FEATURES_SET, Ethtool.Version);
        AppendHeader(request, Ethtool.ETHTOOL_A_FEATURES_HEADER, interfaceName);
        int wanted = BeginNested(request, Ethtool.ETHTOOL_A_FEATURES_WANTED);
        int bits = BeginNested(request, Ethtool.ETHTOOL_A_BITSET_BITS);
        int bit = BeginNested(request, Ethtool.ETHTOOL_A_BITSET_BITS_BIT);
        request.AppendString(Ethtool.ETHTOOL_A_BITSET_BIT_NAME, feature);
        if (on)
        {
            request.AppendAttribute(Ethtool.ETHTOOL_A_BITSET_BIT_VALUE, 0);
        }

        request.EndNested(bit);
        request.EndNested(bits);
        request.EndNested(wanted);
        return request;
    }

    /// <summary>The four feature sets of an ETHTOOL_MSG_FEATURES_GET_REPLY.</summary>
    /// <exception cref="NetlinkDecodeException">The reply is cut, of another family or command, lacks a set, or a set is malformed.</exception>
    internal static EthtoolFeatureSets DecodeGet(ReadOnlySpan<byte> reply, ushort family)
    {
        const string context = "ETHTOOL_MSG_FEATURES_GET reply";
        var reader = new NetlinkAttributeReader(Attributes(reply, family, Ethtool.ETHTOOL_MSG_FEATURES_GET_REPLY, context), context);
        EthtoolBitset? hardware = null, wanted = null, active = null, noChange = null;
        while (reader.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case Ethtool.ETHTOOL_A_FEATURES_HW: hardware = DecodeBitset(value, "ETHTOOL_A_FEATURES_HW"); break;
                case Ethtool.ETHTOOL_A_FEATURES_WANTED: wanted = DecodeBitset(value, "ETHTOOL_A_FEATURES_WANTED"); break;
                case Ethtool.ETHTOOL_A_FEATURES_ACTIVE: active = DecodeBitset(value, "ETHTOOL_A_FEATURES_ACTIVE"); break;
                case Ethtool.ETHTOOL_A_FEATURES_NOCHANGE: noChange = DecodeBitset(value, "ETHTOOL_A_FEATURES_NOCHANGE"); break;
            }
        }

        if (hardware is null || wanted is null || active is null || noChange is null)
        {
            throw new NetlinkDecodeException($"{context}: the kernel's answer lacks one of the HW, WANTED, ACTIVE and NOCHANGE feature sets.");
        }

        return new EthtoolFeatureSets(hardware.Set, wanted.Set, active.Set, noChange.Set);
    }

    /// <summary>
    /// The names in ETHTOOL_A_FEATURES_WANTED of an ETHTOOL_MSG_FEATURES_SET_REPLY: the features whose
    /// result differs from what was asked (the kernel or driver did not follow the request for them).
    /// </summary>
    /// <exception cref="NetlinkDecodeException">The reply is cut, of another family or command, or its bitset is malformed.</exception>
    internal static IReadOnlySet<string> DecodeSetDifferences(ReadOnlySpan<byte> reply, ushort family)
    {
        const string context = "ETHTOOL_MSG_FEATURES_SET reply";
        var reader = new NetlinkAttributeReader(Attributes(reply, family, Ethtool.ETHTOOL_MSG_FEATURES_SET_REPLY, context), context);
        IReadOnlySet<string> differences = new HashSet<string>(StringComparer.Ordinal);
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == Ethtool.ETHTOOL_A_FEATURES_WANTED)
            {
                differences = DecodeBitset(value, "ETHTOOL_A_FEATURES_WANTED").Listed;
            }
        }

        return differences;
    }

    /// <summary>
    /// A verbose bitset (ETHTOOL_A_BITSET_*). Compact VALUE/MASK arrays beside the bits, a SIZE and attributes this
    /// client does not know are passed over; a bit without a name cannot be told by name and is skipped.
    /// </summary>
    /// <exception cref="NetlinkDecodeException">
    /// A nest is cut, a bit's index is not a u32, or the set came only compact (arrays without names), which
    /// would otherwise read as no feature at all.
    /// </exception>
    internal static EthtoolBitset DecodeBitset(ReadOnlySpan<byte> payload, string context)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        bool noMask = false;
        bool compact = false;
        bool named = false;
        var reader = new NetlinkAttributeReader(payload, context);
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == Ethtool.ETHTOOL_A_BITSET_NOMASK)
            {
                noMask = true;
            }
            else if (type is Ethtool.ETHTOOL_A_BITSET_VALUE or Ethtool.ETHTOOL_A_BITSET_MASK)
            {
                compact = true;
            }
            else if (type == Ethtool.ETHTOOL_A_BITSET_BITS)
            {
                named = true;
                var bits = new NetlinkAttributeReader(value, context + " bits");
                while (bits.TryRead(out ushort bitType, out var bit))
                {
                    if (bitType == Ethtool.ETHTOOL_A_BITSET_BITS_BIT && DecodeBit(bit, context) is { } decoded)
                    {
                        listed.Add(decoded.Name);
                        if (decoded.Value)
                        {
                            set.Add(decoded.Name);
                        }
                    }
                }
            }
        }

        if (compact && !named)
        {
            throw new NetlinkDecodeException($"The {context} bitset came as compact arrays without bit names, which were not asked for.");
        }

        // Without a mask the kernel lists only the bits that are set, and sends no VALUE flags.
        return noMask ? new EthtoolBitset(listed, listed) : new EthtoolBitset(set, listed);
    }

    private static (string Name, bool Value)? DecodeBit(ReadOnlySpan<byte> payload, string context)
    {
        var reader = new NetlinkAttributeReader(payload, context + " bit");
        string? name = null;
        bool value = false;
        while (reader.TryRead(out ushort type, out var attribute))
        {
            switch (type)
            {
                case Ethtool.ETHTOOL_A_BITSET_BIT_INDEX: reader.ReadUInt32(attribute, type); break;
                case Ethtool.ETHTOOL_A_BITSET_BIT_NAME: name = NetlinkAttributeReader.ReadString(attribute); break;
                case Ethtool.ETHTOOL_A_BITSET_BIT_VALUE: value = true; break;
            }
        }

        return string.IsNullOrEmpty(name) ? null : (name, value);
    }

    /// <summary>ETHTOOL_A_*_HEADER naming the device; no flags, so bitsets come verbose and a SET is answered.</summary>
    private static void AppendHeader(NetlinkMessageBuilder request, ushort headerType, string interfaceName)
    {
        int header = BeginNested(request, headerType);
        request.AppendString(Ethtool.ETHTOOL_A_HEADER_DEV_NAME, interfaceName);
        request.EndNested(header);
    }

    // The ethtool family validates strictly: a nest without NLA_F_NESTED is refused with EINVAL.
    private static int BeginNested(NetlinkMessageBuilder request, ushort type) =>
        request.BeginNested((ushort)(type | NetlinkProtocol.NLA_F_NESTED));

    private static ReadOnlySpan<byte> Attributes(ReadOnlySpan<byte> reply, ushort family, byte command, string context)
    {
        var attributes = GenericNetlink.Attributes(reply, family, context);
        byte actual = reply[NetlinkProtocol.HeaderLength];
        return actual == command
            ? attributes
            : throw new NetlinkDecodeException($"{context}: a message of command {actual} where {command} was expected.");
    }
}
