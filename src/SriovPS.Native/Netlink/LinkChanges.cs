namespace SriovPS.Native.Netlink;

/// <summary>
/// The <c>RTM_SETLINK</c> requests: <c>ip link set eno49 vf N …</c>. Each request carries one VF
/// attribute, because the kernel applies a VF entry's attributes one after another and stops at the
/// first the driver refuses, leaving the earlier ones applied: one attribute per request makes every
/// outcome known.
/// </summary>
internal static class LinkChanges
{
    /// <summary>
    /// RTM_SETLINK for the interface <paramref name="interfaceName"/> (looked up by name: ifi_index 0
    /// with IFLA_IFNAME), holding IFLA_VFINFO_LIST → IFLA_VF_INFO → what <paramref name="writeVfAttribute"/>
    /// appends with <see cref="VfAttributeWriter"/>.
    /// </summary>
    internal static NetlinkMessageBuilder BuildSetVf(string interfaceName, Action<NetlinkMessageBuilder> writeVfAttribute)
    {
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_SETLINK, NetlinkProtocol.NLM_F_REQUEST, 128);
        request.AppendInterfaceInfo(0);
        request.AppendString(IfLink.IFLA_IFNAME, interfaceName);
        int list = request.BeginNested(IfLink.IFLA_VFINFO_LIST);
        int entry = request.BeginNested(IfLink.IFLA_VF_INFO);
        writeVfAttribute(request);
        request.EndNested(entry);
        request.EndNested(list);
        return request;
    }

    /// <summary>
    /// RTM_SETLINK with IFLA_ADDRESS for the interface with index <paramref name="ifindex"/>:
    /// <c>ip link set DEV address MAC</c>. By index, so a rename by udev meanwhile does not matter.
    /// </summary>
    internal static NetlinkMessageBuilder BuildSetAddress(int ifindex, ReadOnlySpan<byte> address)
    {
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_SETLINK, NetlinkProtocol.NLM_F_REQUEST, 64);
        request.AppendInterfaceInfo(ifindex);
        address.CopyTo(request.AppendAttribute(IfLink.IFLA_ADDRESS, address.Length));
        return request;
    }

    /// <summary>IFF_UP, the administrative state (<c>include/uapi/linux/if.h</c>).</summary>
    internal const uint IFF_UP = 0x1;

    /// <summary>
    /// RTM_SETLINK changing only IFF_UP (ifi_change masks every other flag out): <c>ip link set DEV up|down</c>.
    /// </summary>
    internal static NetlinkMessageBuilder BuildSetAdminState(string interfaceName, bool up)
    {
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_SETLINK, NetlinkProtocol.NLM_F_REQUEST, 64);
        request.AppendInterfaceInfo(0, flags: up ? IFF_UP : 0, change: IFF_UP);
        request.AppendString(IfLink.IFLA_IFNAME, interfaceName);
        return request;
    }

    /// <summary>RTM_SETLINK with IFLA_MTU (u32): <c>ip link set DEV mtu MTU</c>.</summary>
    internal static NetlinkMessageBuilder BuildSetMtu(string interfaceName, uint mtu)
    {
        var request = new NetlinkMessageBuilder(RtNetlink.RTM_SETLINK, NetlinkProtocol.NLM_F_REQUEST, 64);
        request.AppendInterfaceInfo(0);
        request.AppendString(IfLink.IFLA_IFNAME, interfaceName);
        request.AppendUInt32(IfLink.IFLA_MTU, mtu);
        return request;
    }
}
