using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.Errors;

/// <summary>
/// Turns the ethtool family's answers about an interface's offload features into the module's typed
/// errors, in the kernel's own words and with the <c>ethtool</c> command that would have done the same.
/// </summary>
/// <remarks>
/// EPERM is a missing capability only when the kernel says nothing more; a driver that refuses a
/// feature (EINVAL, EOPNOTSUPP, EPERM with a reason) explains itself in the extended ack.
/// </remarks>
internal static class NetdevFeatureErrors
{
    private const string RootRemedy = "Run PowerShell as root, or with CAP_NET_ADMIN.";

    /// <summary>The feature is <c>[fixed]</c> for the interface: its driver does not let it be changed.</summary>
    internal static SriovException Fixed(string interfaceName, string feature, bool active, string? driver) => new(
        ErrorCatalog.OffloadFeatureFixed,
        $"{feature} is fixed {(active ? "on" : "off")} for {interfaceName}: its driver{(driver is null ? string.Empty : $", {driver},")} does not let it be changed ('ethtool -k {interfaceName}' shows it [fixed]).",
        interfaceName,
        feature == Ethtool.HwTcOffload
            ? "TC flower offload needs a driver that implements it (mlx5_core, ice, nfp, …), for most of them with the PF in switchdev eswitch mode first: Set-SriovPf -EswitchMode Switchdev."
            : null);

    /// <summary>The kernel has no ethtool netlink family, so features cannot be changed through it.</summary>
    internal static SriovException FamilyMissing(string interfaceName, string command) => new(
        ErrorCatalog.OffloadFeatureNotSupported,
        $"This kernel has no ethtool netlink interface (no generic netlink family 'ethtool'), so '{command}' cannot reach {interfaceName}.",
        interfaceName,
        "ethtool netlink comes with Linux 5.6 and later built with CONFIG_ETHTOOL_NETLINK, as distribution kernels are; on older kernels use the ethtool program.");

    /// <summary>The kernel's refusal of <c>ethtool -K DEV FEATURE on|off</c>.</summary>
    internal static SriovException ForChange(NetlinkException error, string interfaceName, string command)
    {
        string said = $"the kernel answered \"{Words(error)}\" to '{command}'.";
        return error.Errno switch
        {
            Errno.ENODEV => NoInterface(interfaceName, error),
            Errno.EPERM or Errno.EACCES when string.IsNullOrEmpty(error.ExtendedAck) => new SriovException(
                ErrorCatalog.NetlinkPermissionDenied, $"The kernel refused to change the features of {interfaceName}: {said}", interfaceName, RootRemedy, error),
            Errno.EINVAL or Errno.EOPNOTSUPP or Errno.EPERM or Errno.EBUSY => new SriovException(
                ErrorCatalog.OffloadFeatureRejected, $"The kernel refused '{command}' for {interfaceName}: {said}", interfaceName, inner: error),
            _ => new SriovException(
                ErrorCatalog.OffloadFeatureFailed, $"Could not change the features of {interfaceName}: {said}", interfaceName, inner: error),
        };
    }

    /// <summary>The kernel acknowledged the change but the feature is not as asked (the driver kept it, or a dependency did).</summary>
    internal static SriovException NotApplied(string interfaceName, string feature, bool on, string command) => new(
        ErrorCatalog.OffloadFeatureRejected,
        $"The kernel accepted '{command}' but {feature} of {interfaceName} is still {(on ? "off" : "on")}: its driver did not follow the request.",
        interfaceName,
        $"Check the kernel log (dmesg) for the driver's reason, and 'ethtool -k {interfaceName}'.");

    /// <summary>The kernel's answer to a change did not parse: whether it was applied is unknown.</summary>
    internal static SriovException ForUnreadableAnswer(NetlinkDecodeException error, string interfaceName, string command) => new(
        ErrorCatalog.OffloadFeatureFailed,
        $"The kernel's answer to '{command}' did not parse ({error.Message}); whether the features of {interfaceName} changed is unknown.",
        interfaceName,
        $"Check with: ethtool -k {interfaceName}",
        error);

    /// <summary>A failed <c>ethtool -k DEV</c> other than "no such interface".</summary>
    internal static SriovException ForRead(NetlinkException error, string interfaceName) => error.Errno switch
    {
        Errno.EPERM or Errno.EACCES => new SriovException(
            ErrorCatalog.NetlinkPermissionDenied, $"The kernel refused to show the features of {interfaceName}: {Words(error)}.", interfaceName, RootRemedy, error),
        _ => new SriovException(
            ErrorCatalog.OffloadFeatureUnreadable, $"Could not read the features of {interfaceName} through ethtool netlink: {error.Message}", interfaceName, inner: error),
    };

    internal static SriovException ForDecode(NetlinkDecodeException error, string interfaceName) => new(
        ErrorCatalog.OffloadFeatureUnreadable,
        $"The kernel's description of the features of {interfaceName} did not parse: {error.Message}",
        interfaceName,
        $"Report this with the output of 'ethtool -k {interfaceName}'.",
        error);

    internal static SriovException NoInterface(string interfaceName, Exception? inner = null) => new(
        ErrorCatalog.InterfaceNotFound,
        $"The kernel has no interface named {interfaceName}.",
        interfaceName,
        "Run Get-SriovPf to see the PFs' interfaces as they are now.",
        inner);

    // The messages end their own sentences, so a final period in the kernel's text is dropped.
    private static string Words(NetlinkException error) =>
        string.IsNullOrEmpty(error.ExtendedAck)
            ? Errno.Describe(error.Errno)
            : Errno.Describe(error.Errno) + ": " + error.ExtendedAck.TrimEnd('.');
}
