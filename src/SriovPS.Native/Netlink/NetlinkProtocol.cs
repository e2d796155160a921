namespace SriovPS.Native.Netlink;

/// <summary>The netlink message layer: include/uapi/linux/netlink.h.</summary>
internal static class NetlinkProtocol
{
    /// <summary>sizeof(struct nlmsghdr).</summary>
    internal const int HeaderLength = 16;

    /// <summary>NLA_HDRLEN: sizeof(struct nlattr), which has the layout of struct rtattr.</summary>
    internal const int AttributeHeaderLength = 4;

    // Control message types.
    internal const ushort NLMSG_NOOP = 0x1;
    internal const ushort NLMSG_ERROR = 0x2;
    internal const ushort NLMSG_DONE = 0x3;
    internal const ushort NLMSG_OVERRUN = 0x4;

    // nlmsg_flags, all requests.
    internal const ushort NLM_F_REQUEST = 0x01;
    internal const ushort NLM_F_MULTI = 0x02;
    internal const ushort NLM_F_ACK = 0x04;
    internal const ushort NLM_F_DUMP_INTR = 0x10;

    // nlmsg_flags of GET requests.
    internal const ushort NLM_F_ROOT = 0x100;
    internal const ushort NLM_F_MATCH = 0x200;
    internal const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // nlmsg_flags of NLMSG_ERROR replies.
    internal const ushort NLM_F_CAPPED = 0x100;
    internal const ushort NLM_F_ACK_TLVS = 0x200;

    // Socket options at level SOL_NETLINK.
    internal const int SOL_NETLINK = 270;
    internal const int NETLINK_CAP_ACK = 10;
    internal const int NETLINK_EXT_ACK = 11;
    internal const int NETLINK_GET_STRICT_CHK = 12;

    // enum nlmsgerr_attrs: the extended acknowledgement after the echoed request.
    internal const ushort NLMSGERR_ATTR_MSG = 1;
    internal const ushort NLMSGERR_ATTR_OFFS = 2;

    // nla_type bits that are flags, not part of the type.
    internal const ushort NLA_F_NESTED = 0x8000;
    internal const ushort NLA_F_NET_BYTEORDER = 0x4000;
    internal const ushort NLA_TYPE_MASK = 0x3fff;

    /// <summary>NLMSG_ALIGN and NLA_ALIGN: both round up to 4 bytes.</summary>
    internal static int Align(int length) => (length + 3) & ~3;
}
