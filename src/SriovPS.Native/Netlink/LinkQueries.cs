using System.Collections.Generic;

namespace SriovPS.Native.Netlink;

/// <summary>
/// The <c>RTM_GETLINK</c> requests: one interface (<c>ip -d link show eno49</c>), or all of them
/// (<c>ip link show</c>). Asking for VFs costs the kernel a driver call per VF, so only callers that
/// want them set RTEXT_FILTER_VF; statistics are skipped unless asked, which also keeps a large VF
/// list from overflowing.
/// </summary>
internal static class LinkQueries
{
    /// <summary>The IFLA_EXT_MASK for a query: VFs and their statistics only when wanted.</summary>
    internal static uint ExtMask(bool vfs, bool statistics) =>
        vfs ? RtNetlink.RTEXT_FILTER_VF | (statistics ? 0 : RtNetlink.RTEXT_FILTER_SKIP_STATS) : RtNetlink.RTEXT_FILTER_SKIP_STATS;

    /// <summary>RTM_GETLINK for one interface by index, or by name when <paramref name="index"/> is 0.</summary>
    internal static NetlinkMessageBuilder BuildGet(int index, string? name, uint extMask)
    {
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_GETLINK, NetlinkProtocol.NLM_F_REQUEST, 64);
        request.AppendInterfaceInfo(index);
        if (index == 0 && name is not null)
        {
            request.AppendString(IfLink.IFLA_IFNAME, name);
        }

        request.AppendUInt32(IfLink.IFLA_EXT_MASK, extMask);
        return request;
    }

    /// <summary>RTM_GETLINK dump of every interface in the socket's namespace.</summary>
    internal static NetlinkMessageBuilder BuildDump(uint extMask)
    {
        var request = NetlinkMessageBuilder.ForDump(RtNetlink.RTM_GETLINK);
        request.AppendInterfaceInfo(0);
        request.AppendUInt32(IfLink.IFLA_EXT_MASK, extMask);
        return request;
    }

    /// <exception cref="NetlinkException">ENODEV when no such interface exists.</exception>
    internal static LinkInfo Get(NetlinkSocket socket, string name, uint extMask) =>
        GetOne(socket, BuildGet(0, name, extMask), name);

    internal static LinkInfo Get(NetlinkSocket socket, int index, uint extMask) =>
        GetOne(socket, BuildGet(index, null, extMask), "ifindex " + index);

    /// <summary>Every interface; a dump the kernel flags as interrupted by a concurrent change is taken again.</summary>
    internal static List<LinkInfo> Dump(NetlinkSocket socket, uint extMask)
    {
        const int attempts = 3;
        var links = new List<LinkInfo>();
        for (int attempt = 1; ; attempt++)
        {
            links.Clear();
            bool consistent = socket.Transact(BuildDump(extMask), reply => links.Add(LinkMessage.Decode(reply)));
            if (consistent || attempt == attempts)
            {
                return links;
            }
        }
    }

    private static LinkInfo GetOne(NetlinkSocket socket, NetlinkMessageBuilder request, string what)
    {
        LinkInfo? link = null;
        socket.Transact(request, reply => link ??= LinkMessage.Decode(reply));
        return link ?? throw new NetlinkDecodeException($"RTM_GETLINK for {what}: the kernel acknowledged without describing the interface.");
    }
}
