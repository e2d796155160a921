using System.Buffers.Binary;

namespace SriovPS.Native.Netlink;

/// <summary>
/// Writes the IFLA_VF_* structs of one IFLA_VF_INFO entry, each with its VF number first, exactly as
/// the kernel lays them out in include/uapi/linux/if_link.h. Used to request VF changes and to build
/// kernel-shaped replies for tests.
/// </summary>
internal static class VfAttributeWriter
{
    /// <summary>IFLA_VF_MAC: <c>ip link set PF vf N mac ADDRESS</c>.</summary>
    internal static void Mac(NetlinkMessageBuilder builder, int vf, ReadOnlySpan<byte> address)
    {
        if (address.Length > IfLink.VfAddressCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(address), "A VF address holds at most 32 bytes.");
        }

        var payload = builder.AppendAttribute(IfLink.IFLA_VF_MAC, IfLink.VfMacLength);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        address.CopyTo(payload[4..]);
    }

    /// <summary>IFLA_VF_BROADCAST (sent by the kernel only).</summary>
    internal static void Broadcast(NetlinkMessageBuilder builder, ReadOnlySpan<byte> address) =>
        address.CopyTo(builder.AppendAttribute(IfLink.IFLA_VF_BROADCAST, IfLink.VfAddressCapacity));

    /// <summary>IFLA_VF_VLAN: <c>ip link set PF vf N vlan VLAN qos QOS</c> (802.1Q).</summary>
    internal static void Vlan(NetlinkMessageBuilder builder, int vf, uint vlan, uint qos)
    {
        var payload = builder.AppendAttribute(IfLink.IFLA_VF_VLAN, IfLink.VfVlanLength);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], vlan);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[8..], qos);
    }

    /// <summary>
    /// IFLA_VF_VLAN_LIST with one IFLA_VF_VLAN_INFO: <c>ip link set PF vf N vlan VLAN qos QOS proto 802.1ad</c>.
    /// </summary>
    internal static void VlanList(NetlinkMessageBuilder builder, int vf, uint vlan, uint qos, ushort protocol)
    {
        int list = builder.BeginNested(IfLink.IFLA_VF_VLAN_LIST);
        var payload = builder.AppendAttribute(IfLink.IFLA_VF_VLAN_INFO, IfLink.VfVlanInfoLength);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], vlan);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[8..], qos);
        BinaryPrimitives.WriteUInt16BigEndian(payload[12..], protocol);
        builder.EndNested(list);
    }

    /// <summary>IFLA_VF_RATE: <c>ip link set PF vf N min_tx_rate MIN max_tx_rate MAX</c>; both are always sent.</summary>
    internal static void Rate(NetlinkMessageBuilder builder, int vf, uint minTxRate, uint maxTxRate)
    {
        var payload = builder.AppendAttribute(IfLink.IFLA_VF_RATE, IfLink.VfRateLength);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], minTxRate);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[8..], maxTxRate);
    }

    /// <summary>IFLA_VF_TX_RATE: the older maximum-rate attribute.</summary>
    internal static void TxRate(NetlinkMessageBuilder builder, int vf, uint rate) =>
        Pair(builder, IfLink.IFLA_VF_TX_RATE, vf, rate);

    /// <summary>IFLA_VF_SPOOFCHK: <c>ip link set PF vf N spoofchk on|off</c>. <c>null</c> writes the kernel's "not reported".</summary>
    internal static void SpoofCheck(NetlinkMessageBuilder builder, int vf, bool? on) =>
        Pair(builder, IfLink.IFLA_VF_SPOOFCHK, vf, Setting(on));

    /// <summary>IFLA_VF_TRUST: <c>ip link set PF vf N trust on|off</c>.</summary>
    internal static void Trust(NetlinkMessageBuilder builder, int vf, bool? on) =>
        Pair(builder, IfLink.IFLA_VF_TRUST, vf, Setting(on));

    /// <summary>IFLA_VF_RSS_QUERY_EN: <c>ip link set PF vf N query_rss on|off</c>.</summary>
    internal static void RssQuery(NetlinkMessageBuilder builder, int vf, bool? on) =>
        Pair(builder, IfLink.IFLA_VF_RSS_QUERY_EN, vf, Setting(on));

    /// <summary>IFLA_VF_LINK_STATE: <c>ip link set PF vf N state auto|enable|disable</c>.</summary>
    internal static void LinkState(NetlinkMessageBuilder builder, int vf, uint state) =>
        Pair(builder, IfLink.IFLA_VF_LINK_STATE, vf, state);

    /// <summary>IFLA_VF_IB_NODE_GUID or IFLA_VF_IB_PORT_GUID: <c>struct ifla_vf_guid</c>, the guid 8-byte aligned.</summary>
    internal static void Guid(NetlinkMessageBuilder builder, ushort type, int vf, ulong guid)
    {
        var payload = builder.AppendAttribute(type, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], guid);
    }

    /// <summary>IFLA_VF_STATS as a 64-bit kernel sends it: the eight counters, no pad attributes.</summary>
    internal static void Statistics(NetlinkMessageBuilder builder, VfStatistics statistics)
    {
        int nest = builder.BeginNested(IfLink.IFLA_VF_STATS);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_RX_PACKETS, statistics.RxPackets);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_TX_PACKETS, statistics.TxPackets);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_RX_BYTES, statistics.RxBytes);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_TX_BYTES, statistics.TxBytes);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_BROADCAST, statistics.Broadcast);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_MULTICAST, statistics.Multicast);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_RX_DROPPED, statistics.RxDropped);
        builder.AppendUInt64(IfLink.IFLA_VF_STATS_TX_DROPPED, statistics.TxDropped);
        builder.EndNested(nest);
    }

    private static void Pair(NetlinkMessageBuilder builder, ushort type, int vf, uint value)
    {
        var payload = builder.AppendAttribute(type, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)vf);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], value);
    }

    private static uint Setting(bool? on) => on switch
    {
        true => 1,
        false => 0,
        null => uint.MaxValue,
    };
}
