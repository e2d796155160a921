using System.Collections.Generic;

namespace SriovPS.Native.Netlink;

/// <summary>One interface as an <c>RTM_NEWLINK</c> message describes it; an attribute not sent is <c>null</c>.</summary>
internal sealed class LinkInfo
{
    /// <summary>ifi_index.</summary>
    internal int Index { get; init; }

    /// <summary>ifi_type: the ARPHRD_* link type (1 is Ethernet).</summary>
    internal ushort DeviceType { get; init; }

    /// <summary>ifi_flags: IFF_UP, IFF_RUNNING, … (include/uapi/linux/if.h).</summary>
    internal uint Flags { get; init; }

    internal string? Name { get; init; }

    internal byte[]? Address { get; init; }

    /// <summary>IFLA_PERM_ADDRESS (Linux 5.6 on): the address the device came with, whatever it carries now (a bond's).</summary>
    internal byte[]? PermanentAddress { get; init; }

    internal byte[]? Broadcast { get; init; }

    internal uint? Mtu { get; init; }

    /// <summary>IFLA_OPERSTATE: an IF_OPER_* value (RFC 2863).</summary>
    internal byte? OperState { get; init; }

    /// <summary>IFLA_LINK: the ifindex of the peer or lower device.</summary>
    internal int? Link { get; init; }

    /// <summary>IFLA_NUM_VF: how many VFs the device has; sent only when RTEXT_FILTER_VF was asked.</summary>
    internal int? NumVfs { get; init; }

    /// <summary>Whether IFLA_VFINFO_LIST was present (a driver without ndo_get_vf_config sends none).</summary>
    internal bool HasVfList { get; init; }

    /// <summary>The VFs of IFLA_VFINFO_LIST in the order sent; each carries its own index.</summary>
    internal IReadOnlyList<VfInfo> Vfs { get; init; } = Array.Empty<VfInfo>();

    /// <summary>
    /// The kernel overflowed the VF list's 16-bit length (a couple of hundred VFs with statistics, a
    /// few hundred without): its declared end cuts an entry, or more entries follow it. What followed
    /// the list could not be located and was not read.
    /// </summary>
    internal bool VfListTruncated { get; init; }

    /// <summary>
    /// VFs counted by IFLA_NUM_VF but absent from a whole VF list: the driver declined to describe them
    /// (i40e and ice do while a VF resets), so the kernel left them out.
    /// </summary>
    internal bool VfsMissing => HasVfList && !VfListTruncated && NumVfs is int count && Vfs.Count < count;
}

/// <summary>One IFLA_VF_INFO entry: what the PF holds for one VF.</summary>
internal sealed class VfInfo
{
    /// <summary>The VF number, from the entry's own <c>vf</c> fields, never its position in the list.</summary>
    internal int Index { get; set; }

    /// <summary>IFLA_VF_MAC, cut to the PF's address length.</summary>
    internal byte[]? MacAddress { get; set; }

    /// <summary>IFLA_VF_BROADCAST, cut to the PF's address length.</summary>
    internal byte[]? Broadcast { get; set; }

    internal uint? Vlan { get; set; }

    internal uint? Qos { get; set; }

    /// <summary>The VLAN protocol of IFLA_VF_VLAN_LIST: 0x8100 (802.1Q) or 0x88a8 (802.1ad).</summary>
    internal ushort? VlanProtocol { get; set; }

    /// <summary>IFLA_VF_TX_RATE: the older report of the maximum rate, Mbit/s.</summary>
    internal uint? TxRate { get; set; }

    internal uint? MinTxRate { get; set; }

    internal uint? MaxTxRate { get; set; }

    /// <summary>IFLA_VF_SPOOFCHK; <c>null</c> when the driver does not report it (the kernel sends -1).</summary>
    internal bool? SpoofCheck { get; set; }

    /// <summary>IFLA_VF_LINK_STATE: an IFLA_VF_LINK_STATE_* value.</summary>
    internal uint? LinkState { get; set; }

    /// <summary>IFLA_VF_RSS_QUERY_EN; <c>null</c> when not reported.</summary>
    internal bool? RssQuery { get; set; }

    /// <summary>IFLA_VF_TRUST; <c>null</c> when not reported.</summary>
    internal bool? Trust { get; set; }

    internal ulong? NodeGuid { get; set; }

    internal ulong? PortGuid { get; set; }

    /// <summary>IFLA_VF_STATS; present only when statistics were not skipped.</summary>
    internal VfStatistics? Statistics { get; set; }
}

/// <summary>IFLA_VF_STATS: the VF's counters as its PF's driver keeps them.</summary>
internal sealed class VfStatistics
{
    internal ulong RxPackets { get; set; }

    internal ulong TxPackets { get; set; }

    internal ulong RxBytes { get; set; }

    internal ulong TxBytes { get; set; }

    internal ulong Broadcast { get; set; }

    internal ulong Multicast { get; set; }

    internal ulong RxDropped { get; set; }

    internal ulong TxDropped { get; set; }
}
