namespace SriovPS.Native.Netlink;

/// <summary>Link attributes and the VF attributes nested in them: include/uapi/linux/if_link.h.</summary>
internal static class IfLink
{
    /// <summary>sizeof(struct ifinfomsg), which follows the nlmsghdr of link messages.</summary>
    internal const int InfoMessageLength = 16;

    // enum IFLA_*: top-level attributes of RTM_NEWLINK/RTM_GETLINK/RTM_SETLINK.
    internal const ushort IFLA_ADDRESS = 1;
    internal const ushort IFLA_BROADCAST = 2;
    internal const ushort IFLA_IFNAME = 3;
    internal const ushort IFLA_MTU = 4;
    internal const ushort IFLA_LINK = 5;
    internal const ushort IFLA_OPERSTATE = 16;
    internal const ushort IFLA_NUM_VF = 21;
    internal const ushort IFLA_VFINFO_LIST = 22;
    internal const ushort IFLA_EXT_MASK = 29;
    internal const ushort IFLA_PERM_ADDRESS = 54;

    // enum IFLA_VF_INFO_*: the entries of IFLA_VFINFO_LIST.
    internal const ushort IFLA_VF_INFO = 1;

    // enum IFLA_VF_*: the attributes of one IFLA_VF_INFO.
    internal const ushort IFLA_VF_MAC = 1;         // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; }
    internal const ushort IFLA_VF_VLAN = 2;        // struct ifla_vf_vlan { __u32 vf, vlan, qos; }
    internal const ushort IFLA_VF_TX_RATE = 3;     // struct ifla_vf_tx_rate { __u32 vf, rate; } (the max rate, older interface)
    internal const ushort IFLA_VF_SPOOFCHK = 4;    // struct ifla_vf_spoofchk { __u32 vf, setting; }
    internal const ushort IFLA_VF_LINK_STATE = 5;  // struct ifla_vf_link_state { __u32 vf, link_state; }
    internal const ushort IFLA_VF_RATE = 6;        // struct ifla_vf_rate { __u32 vf, min_tx_rate, max_tx_rate; }
    internal const ushort IFLA_VF_RSS_QUERY_EN = 7; // struct ifla_vf_rss_query_en { __u32 vf, setting; }
    internal const ushort IFLA_VF_STATS = 8;       // nested IFLA_VF_STATS_*
    internal const ushort IFLA_VF_TRUST = 9;       // struct ifla_vf_trust { __u32 vf, setting; }
    internal const ushort IFLA_VF_IB_NODE_GUID = 10;
    internal const ushort IFLA_VF_IB_PORT_GUID = 11;
    internal const ushort IFLA_VF_VLAN_LIST = 12;  // nested IFLA_VF_VLAN_INFO
    internal const ushort IFLA_VF_BROADCAST = 13;  // struct ifla_vf_broadcast { __u8 broadcast[32]; }

    // enum IFLA_VF_VLAN_INFO_*: struct ifla_vf_vlan_info { __u32 vf, vlan, qos; __be16 vlan_proto; }
    internal const ushort IFLA_VF_VLAN_INFO = 1;

    // enum IFLA_VF_STATS_*: __u64 counters, numbered from 0, with a pad attribute (6) the kernel
    // inserts before a counter when it must 8-byte align it.
    internal const ushort IFLA_VF_STATS_RX_PACKETS = 0;
    internal const ushort IFLA_VF_STATS_TX_PACKETS = 1;
    internal const ushort IFLA_VF_STATS_RX_BYTES = 2;
    internal const ushort IFLA_VF_STATS_TX_BYTES = 3;
    internal const ushort IFLA_VF_STATS_BROADCAST = 4;
    internal const ushort IFLA_VF_STATS_MULTICAST = 5;
    internal const ushort IFLA_VF_STATS_PAD = 6;
    internal const ushort IFLA_VF_STATS_RX_DROPPED = 7;
    internal const ushort IFLA_VF_STATS_TX_DROPPED = 8;

    // enum IFLA_VF_LINK_STATE_*.
    internal const uint IFLA_VF_LINK_STATE_AUTO = 0;
    internal const uint IFLA_VF_LINK_STATE_ENABLE = 1;
    internal const uint IFLA_VF_LINK_STATE_DISABLE = 2;

    /// <summary>The fixed MAC array of struct ifla_vf_mac and ifla_vf_broadcast.</summary>
    internal const int VfAddressCapacity = 32;

    // Sizes of the VF structs as the kernel sends them (sizeof, including tail padding).
    internal const int VfMacLength = 4 + VfAddressCapacity;
    internal const int VfVlanLength = 12;
    internal const int VfVlanInfoLength = 16;
    internal const int VfTxRateLength = 8;
    internal const int VfRateLength = 12;
    internal const int VfSettingLength = 8;

    // ETH_P_8021Q and ETH_P_8021AD (include/uapi/linux/if_ether.h), big-endian on the wire.
    internal const ushort EthP8021Q = 0x8100;
    internal const ushort EthP8021AD = 0x88A8;
}
