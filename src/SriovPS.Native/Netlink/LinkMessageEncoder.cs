namespace SriovPS.Native.Netlink;

/// <summary>
/// Encodes a <see cref="LinkInfo"/> as the kernel's <c>RTM_NEWLINK</c>, attributes in the kernel's
/// order (rtnl_fill_ifinfo, rtnl_fill_vfinfo), so decode and encode can be checked against each other
/// on exact bytes and the benchmark can decode a realistic 256-VF reply.
/// </summary>
internal static class LinkMessageEncoder
{
    internal static NetlinkMessageBuilder Encode(LinkInfo link)
    {
        var builder = new NetlinkMessageBuilder(RtNetlink.RTM_NEWLINK, 0, 1024 + (link.Vfs.Count * 256));
        builder.AppendInterfaceInfo(link.Index, link.Flags, 0, link.DeviceType);
        if (link.Name is not null)
        {
            builder.AppendString(IfLink.IFLA_IFNAME, link.Name);
        }

        if (link.OperState is byte operState)
        {
            builder.AppendByte(IfLink.IFLA_OPERSTATE, operState);
        }

        if (link.Mtu is uint mtu)
        {
            builder.AppendUInt32(IfLink.IFLA_MTU, mtu);
        }

        if (link.Link is int lower)
        {
            builder.AppendUInt32(IfLink.IFLA_LINK, (uint)lower);
        }

        if (link.Address is not null)
        {
            builder.Append(IfLink.IFLA_ADDRESS, link.Address);
        }

        if (link.Broadcast is not null)
        {
            builder.Append(IfLink.IFLA_BROADCAST, link.Broadcast);
        }

        if (link.NumVfs is int numVfs)
        {
            builder.AppendUInt32(IfLink.IFLA_NUM_VF, (uint)numVfs);
        }

        if (link.HasVfList)
        {
            int list = builder.BeginNested(IfLink.IFLA_VFINFO_LIST);
            foreach (var vf in link.Vfs)
            {
                AppendVf(builder, vf);
            }

            builder.EndNested(list);
        }

        // After the VF list, where the kernel puts it.
        if (link.PermanentAddress is not null)
        {
            builder.Append(IfLink.IFLA_PERM_ADDRESS, link.PermanentAddress);
        }

        return builder;
    }

    private static void AppendVf(NetlinkMessageBuilder builder, VfInfo vf)
    {
        int entry = builder.BeginNested(IfLink.IFLA_VF_INFO);
        if (vf.MacAddress is not null)
        {
            VfAttributeWriter.Mac(builder, vf.Index, vf.MacAddress);
        }

        if (vf.Broadcast is not null)
        {
            VfAttributeWriter.Broadcast(builder, vf.Broadcast);
        }

        if (vf.Vlan is uint vlan)
        {
            VfAttributeWriter.Vlan(builder, vf.Index, vlan, vf.Qos ?? 0);
        }

        if (vf.MinTxRate is not null || vf.MaxTxRate is not null)
        {
            VfAttributeWriter.Rate(builder, vf.Index, vf.MinTxRate ?? 0, vf.MaxTxRate ?? 0);
        }

        if (vf.TxRate is uint txRate)
        {
            VfAttributeWriter.TxRate(builder, vf.Index, txRate);
        }

        VfAttributeWriter.SpoofCheck(builder, vf.Index, vf.SpoofCheck);
        if (vf.LinkState is uint linkState)
        {
            VfAttributeWriter.LinkState(builder, vf.Index, linkState);
        }

        VfAttributeWriter.RssQuery(builder, vf.Index, vf.RssQuery);
        VfAttributeWriter.Trust(builder, vf.Index, vf.Trust);
        if (vf.NodeGuid is ulong nodeGuid)
        {
            VfAttributeWriter.Guid(builder, IfLink.IFLA_VF_IB_NODE_GUID, vf.Index, nodeGuid);
        }

        if (vf.PortGuid is ulong portGuid)
        {
            VfAttributeWriter.Guid(builder, IfLink.IFLA_VF_IB_PORT_GUID, vf.Index, portGuid);
        }

        if (vf.VlanProtocol is ushort protocol)
        {
            VfAttributeWriter.VlanList(builder, vf.Index, vf.Vlan ?? 0, vf.Qos ?? 0, protocol);
        }

        if (vf.Statistics is not null)
        {
            VfAttributeWriter.Statistics(builder, vf.Statistics);
        }

        builder.EndNested(entry);
    }
}
