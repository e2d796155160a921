namespace SriovPS.Native.Netlink;

/// <summary>Routing netlink message types and link-dump filters: include/uapi/linux/rtnetlink.h.</summary>
internal static class RtNetlink
{
    internal const ushort RTM_NEWLINK = 16;
    internal const ushort RTM_DELLINK = 17;
    internal const ushort RTM_GETLINK = 18;
    internal const ushort RTM_SETLINK = 19;

    // IFLA_EXT_MASK bits.
    internal const uint RTEXT_FILTER_VF = 1 << 0;
    internal const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;

    /// <summary>AF_UNSPEC: ifi_family of link requests.</summary>
    internal const byte AF_UNSPEC = 0;

    internal static string MessageTypeName(ushort type) => type switch
    {
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_DELLINK => "RTM_DELLINK",
        RTM_GETLINK => "RTM_GETLINK",
        RTM_SETLINK => "RTM_SETLINK",
        _ => "netlink message " + type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
