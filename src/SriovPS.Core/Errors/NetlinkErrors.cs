using SriovPS.Native;
using SriovPS.Native.Netlink;
using SriovPS.VfSettings;

namespace SriovPS.Errors;

/// <summary>Turns the kernel's refusal of a netlink request into the module's typed errors.</summary>
internal static class NetlinkErrors
{
    /// <summary>A failed read of an interface: what the kernel said, and for which interface.</summary>
    internal static SriovException ForRead(NetlinkException error, string interfaceName) => error.Errno switch
    {
        Errno.ENODEV => new SriovException(
            ErrorCatalog.InterfaceNotFound,
            $"The kernel has no interface '{interfaceName}' any more: it was removed or renamed while it was read.",
            interfaceName,
            "Run the command again.",
            error),
        Errno.EPERM or Errno.EACCES => new SriovException(
            ErrorCatalog.NetlinkPermissionDenied,
            $"The kernel refused to describe '{interfaceName}': {error.Message}",
            interfaceName,
            "Run PowerShell as root, or with CAP_NET_ADMIN.",
            error),
        _ => new SriovException(
            ErrorCatalog.KernelLinkUnreadable,
            $"Could not read '{interfaceName}' from the kernel over netlink: {error.Message}",
            interfaceName,
            inner: error),
    };

    internal static SriovException ForDecode(NetlinkDecodeException error, string interfaceName) =>
        new SriovException(
            ErrorCatalog.KernelLinkUnreadable,
            $"The kernel's description of '{interfaceName}' did not parse: {error.Message}",
            interfaceName,
            "Report this with the output of 'ip -d link show " + interfaceName + "'.",
            error);

    /// <summary>
    /// The kernel's refusal of one VF attribute: what the driver cannot do, or what the kernel found
    /// wrong, in its own words, with the <c>ip link</c> command that would have done the same and what
    /// was applied to the VF regardless.
    /// </summary>
    internal static SriovException ForVfChange(NetlinkException error, VfChangeContext context)
    {
        string target = $"{context.PfName} vf {context.Vf}";
        string command = $"ip link set {context.PfName} vf {context.Vf} {context.Change.IpArguments}";
        string words = string.IsNullOrEmpty(error.ExtendedAck)
            ? Errno.Describe(error.Errno)
            : Errno.Describe(error.Errno) + ": " + error.ExtendedAck;
        string said = $"the kernel answered \"{words}\" to '{command}'.";
        string applied = Outcome(context);
        string driver = context.PfDriver ?? "The PF's driver";

        return error.Errno switch
        {
            Errno.EOPNOTSUPP => new SriovException(
                ErrorCatalog.VfSettingNotSupported,
                $"{driver} does not support {context.Change.Description} on VFs: {said}{applied}",
                target,
                inner: error),
            Errno.EPROTONOSUPPORT => new SriovException(
                ErrorCatalog.VfSettingNotSupported,
                context.Change.Kind == VfSettingKind.Vlan && context.Change.IpArguments.EndsWith("proto 802.1ad", System.StringComparison.Ordinal)
                    ? $"{driver} does not support 802.1ad (QinQ) VLAN tags on VFs: {said}{applied}"
                    : $"{driver} does not support '{context.Change.IpArguments}' on VFs: {said}{applied}",
                target,
                inner: error),
            Errno.EINVAL => new SriovException(
                ErrorCatalog.VfSettingRejected,
                $"The kernel rejected '{command}': {words}.{applied}",
                target,
                context.Change.Kind == VfSettingKind.Rate
                    ? "Rates cannot exceed the PF's link speed, and some drivers (igb) limit only the maximum rate, and only while the PF has a link."
                    : null,
                error),
            Errno.EPERM or Errno.EACCES => new SriovException(
                ErrorCatalog.NetlinkPermissionDenied,
                $"The kernel refused to change {target}: {said}{applied}",
                target,
                "Run PowerShell as root, or with CAP_NET_ADMIN.",
                error),
            Errno.ENODEV => new SriovException(
                ErrorCatalog.InterfaceNotFound,
                $"The kernel has no interface '{context.PfName}' any more: it was removed or renamed.{applied}",
                context.PfName,
                "Run Get-SriovPf to see the PFs as they are now.",
                error),
            _ => new SriovException(
                ErrorCatalog.VfSettingFailed,
                $"Could not change {target}: {said}{applied}",
                target,
                inner: error),
        };
    }

    /// <summary>The kernel's answer to a VF change did not parse: whether it was applied is unknown.</summary>
    internal static SriovException ForUnreadableAnswer(NetlinkDecodeException error, VfChangeContext context) =>
        new SriovException(
            ErrorCatalog.VfSettingFailed,
            $"The kernel's answer to 'ip link set {context.PfName} vf {context.Vf} {context.Change.IpArguments}' did not parse ({error.Message}); " +
            $"whether it was applied is unknown.{Outcome(context)}",
            $"{context.PfName} vf {context.Vf}",
            $"Check with: ip -d link show {context.PfName}",
            error);

    private static string Outcome(VfChangeContext context)
    {
        string target = $"{context.PfName} vf {context.Vf}";
        string text = context.Applied.Count == 0
            ? $" Nothing was changed on {target}."
            : $" Applied to {target}: {string.Join(", ", context.Applied)}.";
        return context.NotAttempted is { Count: > 0 } skipped
            ? text + $" Not attempted: {string.Join(", ", skipped)}."
            : text;
    }
}

/// <summary>Which VF attribute a refused request carried, what was applied to the VF, and what was not attempted.</summary>
internal sealed record VfChangeContext(
    string PfName, string? PfDriver, int Vf, VfSettingChange Change, IReadOnlyList<VfSettingChange> Applied,
    IReadOnlyList<VfSettingChange>? NotAttempted = null);
