namespace SriovPS.Native.Netlink;

/// <summary>
/// The eswitch requests of devlink: the mode of a device's embedded switch, legacy (VFs switched by
/// the NIC as the PF driver is told through <c>ip link set … vf N</c>) or switchdev (a representor
/// netdev per VF, switched by the kernel).
/// </summary>
internal static class DevlinkEswitch
{
    /// <summary>DEVLINK_CMD_ESWITCH_GET: <c>devlink dev eswitch show pci/0000:04:00.0</c>.</summary>
    internal static NetlinkMessageBuilder BuildGet(ushort family, string busName, string deviceName) =>
        Build(family, Devlink.DEVLINK_CMD_ESWITCH_GET, busName, deviceName);

    /// <summary>
    /// DEVLINK_CMD_ESWITCH_SET with only DEVLINK_ATTR_ESWITCH_MODE:
    /// <c>devlink dev eswitch set pci/0000:04:00.0 mode switchdev</c>.
    /// </summary>
    internal static NetlinkMessageBuilder BuildSet(ushort family, string busName, string deviceName, ushort mode)
    {
        var request = Build(family, Devlink.DEVLINK_CMD_ESWITCH_SET, busName, deviceName);
        request.AppendUInt16(Devlink.DEVLINK_ATTR_ESWITCH_MODE, mode);
        return request;
    }

    /// <summary>
    /// DEVLINK_ATTR_ESWITCH_MODE from the kernel's answer to <see cref="BuildGet"/>; <c>null</c> when the
    /// answer has none: the driver registers devlink but has no eswitch (no eswitch_mode_get).
    /// </summary>
    /// <exception cref="NetlinkDecodeException">The answer is cut, of another family, or its mode is not a u16.</exception>
    internal static ushort? DecodeMode(ReadOnlySpan<byte> reply, ushort family)
    {
        const string context = "DEVLINK_CMD_ESWITCH_GET reply";
        var reader = new NetlinkAttributeReader(GenericNetlink.Attributes(reply, family, context), context);
        ushort? mode = null;
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == Devlink.DEVLINK_ATTR_ESWITCH_MODE)
            {
                mode = reader.ReadUInt16(value, type);
            }
        }

        return mode;
    }

    private static NetlinkMessageBuilder Build(ushort family, byte command, string busName, string deviceName)
    {
        var request = new NetlinkMessageBuilder(family, NetlinkProtocol.NLM_F_REQUEST, 64) { Operation = Devlink.CommandName(command) };
        request.AppendGenericHeader(command, Devlink.Version);
        request.AppendString(Devlink.DEVLINK_ATTR_BUS_NAME, busName);
        request.AppendString(Devlink.DEVLINK_ATTR_DEV_NAME, deviceName);
        return request;
    }
}
