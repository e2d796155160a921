namespace SriovPS.Native.Netlink;

/// <summary>
/// The ethtool generic netlink family: include/uapi/linux/ethtool_netlink.h (message and attribute
/// numbers moved to ethtool_netlink_generated.h in later kernels, unchanged). Every request and
/// reply carries a nested header naming the device; there is no family header.
/// </summary>
internal static class Ethtool
{
    /// <summary>ETHTOOL_GENL_NAME.</summary>
    internal const string FamilyName = "ethtool";

    /// <summary>ETHTOOL_GENL_VERSION.</summary>
    internal const byte Version = 1;

    // Message types, userspace to kernel (ETHTOOL_MSG_USER_*; the order is ABI).
    internal const byte ETHTOOL_MSG_FEATURES_GET = 11;
    internal const byte ETHTOOL_MSG_FEATURES_SET = 12;

    // Message types, kernel to userspace (ETHTOOL_MSG_KERNEL_*).
    internal const byte ETHTOOL_MSG_FEATURES_GET_REPLY = 11;
    internal const byte ETHTOOL_MSG_FEATURES_SET_REPLY = 12;

    // ETHTOOL_A_HEADER_*.
    internal const ushort ETHTOOL_A_HEADER_DEV_INDEX = 1; // u32
    internal const ushort ETHTOOL_A_HEADER_DEV_NAME = 2;  // string
    internal const ushort ETHTOOL_A_HEADER_FLAGS = 3;     // u32, ETHTOOL_FLAG_*

    // ETHTOOL_A_BITSET_*.
    internal const ushort ETHTOOL_A_BITSET_NOMASK = 1; // flag
    internal const ushort ETHTOOL_A_BITSET_SIZE = 2;   // u32
    internal const ushort ETHTOOL_A_BITSET_BITS = 3;   // nest of ETHTOOL_A_BITSET_BITS_*
    internal const ushort ETHTOOL_A_BITSET_VALUE = 4;  // binary
    internal const ushort ETHTOOL_A_BITSET_MASK = 5;   // binary

    // ETHTOOL_A_BITSET_BITS_*.
    internal const ushort ETHTOOL_A_BITSET_BITS_BIT = 1; // nest of ETHTOOL_A_BITSET_BIT_*

    // ETHTOOL_A_BITSET_BIT_*.
    internal const ushort ETHTOOL_A_BITSET_BIT_INDEX = 1; // u32
    internal const ushort ETHTOOL_A_BITSET_BIT_NAME = 2;  // string
    internal const ushort ETHTOOL_A_BITSET_BIT_VALUE = 3; // flag

    // ETHTOOL_A_FEATURES_*.
    internal const ushort ETHTOOL_A_FEATURES_HEADER = 1;   // nest of ETHTOOL_A_HEADER_*
    internal const ushort ETHTOOL_A_FEATURES_HW = 2;       // bitset
    internal const ushort ETHTOOL_A_FEATURES_WANTED = 3;   // bitset
    internal const ushort ETHTOOL_A_FEATURES_ACTIVE = 4;   // bitset
    internal const ushort ETHTOOL_A_FEATURES_NOCHANGE = 5; // bitset

    /// <summary>The feature <c>ethtool -K DEV hw-tc-offload on</c> turns on (NETIF_F_HW_TC).</summary>
    internal const string HwTcOffload = "hw-tc-offload";

    internal static string CommandName(byte command) => command switch
    {
        ETHTOOL_MSG_FEATURES_GET => "ETHTOOL_MSG_FEATURES_GET",
        ETHTOOL_MSG_FEATURES_SET => "ETHTOOL_MSG_FEATURES_SET",
        _ => "ethtool command " + command.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
