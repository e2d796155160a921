namespace SriovPS.Native.Netlink;

/// <summary>
/// The devlink generic netlink family: include/uapi/linux/devlink.h. A devlink instance is named by
/// its device's bus and device name (<c>pci/0000:04:00.0</c>, <c>netdevsim/netdevsim1</c>); drivers
/// that register none (igb) are unknown to it.
/// </summary>
internal static class Devlink
{
    /// <summary>DEVLINK_GENL_NAME.</summary>
    internal const string FamilyName = "devlink";

    /// <summary>DEVLINK_GENL_VERSION.</summary>
    internal const byte Version = 1;

    // enum devlink_command (its order is ABI).
    internal const byte DEVLINK_CMD_ESWITCH_GET = 29;
    internal const byte DEVLINK_CMD_ESWITCH_SET = 30;

    // enum devlink_attr.
    internal const ushort DEVLINK_ATTR_BUS_NAME = 1;      // NUL-terminated string
    internal const ushort DEVLINK_ATTR_DEV_NAME = 2;      // NUL-terminated string
    internal const ushort DEVLINK_ATTR_ESWITCH_MODE = 25; // u16, enum devlink_eswitch_mode

    // enum devlink_eswitch_mode.
    internal const ushort DEVLINK_ESWITCH_MODE_LEGACY = 0;
    internal const ushort DEVLINK_ESWITCH_MODE_SWITCHDEV = 1;

    /// <summary>The bus name of PCI devices, the first half of <c>pci/0000:04:00.0</c>.</summary>
    internal const string PciBus = "pci";

    internal static string CommandName(byte command) => command switch
    {
        DEVLINK_CMD_ESWITCH_GET => "DEVLINK_CMD_ESWITCH_GET",
        DEVLINK_CMD_ESWITCH_SET => "DEVLINK_CMD_ESWITCH_SET",
        _ => "devlink command " + command.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
