using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.Errors;

/// <summary>Turns the kernel's refusal of a netlink request into the module's typed errors.</summary>
internal static class NetlinkErrors
{
    /// <summary>A failed read of an interface: what the kernel said, and for which interface.</summary>
    internal static SriovException ForRead(NetlinkException error, string interfaceName) => error.Errno switch
    {
        Errno.ENODEV => new SriovObjectNotFoundException(
            ErrorCatalog.InterfaceNotFound,
            $"The kernel has no interface '{interfaceName}' any more: it was removed or renamed while it was read.",
            interfaceName,
            "Run the command again.",
            error),
        Errno.EPERM or Errno.EACCES => new SriovPermissionDeniedException(
            ErrorCatalog.NetlinkPermissionDenied,
            $"The kernel refused to describe '{interfaceName}': {error.Message}",
            interfaceName,
            "Run PowerShell as root, or with CAP_NET_ADMIN.",
            error),
        _ => new SriovReadException(
            ErrorCatalog.KernelLinkUnreadable,
            $"Could not read '{interfaceName}' from the kernel over netlink: {error.Message}",
            interfaceName,
            inner: error),
    };

    internal static SriovException ForDecode(NetlinkDecodeException error, string interfaceName) =>
        new SriovReadException(
            ErrorCatalog.KernelLinkUnreadable,
            $"The kernel's description of '{interfaceName}' did not parse: {error.Message}",
            interfaceName,
            "Report this with the output of 'ip -d link show " + interfaceName + "'.",
            error);
}
