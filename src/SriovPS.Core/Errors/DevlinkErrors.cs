using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.Errors;

/// <summary>
/// Turns devlink's refusal of an eswitch request into the module's typed errors, in the kernel's own
/// words and with the devlink command that would have done the same.
/// </summary>
/// <remarks>
/// EBUSY is <see cref="ErrorCatalog.EswitchModeBusy"/> (ResourceBusy), not a rejection: drivers answer
/// it for a state that passes (mlx5_core while another eswitch change or a firmware reset runs), and
/// the same request succeeds later. EPERM is a missing capability only when the kernel says nothing
/// more: generic netlink refuses callers without CAP_NET_ADMIN silently, while a driver that refuses
/// with EPERM (mlx5_core in some configurations) explains itself in the extended ack.
/// </remarks>
internal static class DevlinkErrors
{
    private const string RootRemedy = "Run PowerShell as root, or with CAP_NET_ADMIN.";

    /// <summary>The kernel's refusal of <c>devlink dev eswitch set</c>.</summary>
    internal static SriovException ForChange(NetlinkException error, EswitchChange change)
    {
        string words = Words(error);
        string said = $"the kernel answered \"{words}\" to '{change.Command}'.";
        string pf = change.PfDescription;
        return error.Errno switch
        {
            Errno.EOPNOTSUPP => new SriovException(
                ErrorCatalog.EswitchModeNotSupported,
                $"{change.PfDriver ?? "The driver"} cannot change the eswitch mode of {pf}: {said}",
                pf,
                "Only drivers with switchdev support (mlx5_core, ice, nfp, …) have an eswitch mode, and some change it only while the PF has no VFs (ice).",
                error),
            Errno.ENODEV => new SriovException(
                ErrorCatalog.EswitchModeNotSupported,
                $"{pf} is not a devlink device: " +
                (change.PfDriver is null ? "no devlink instance is registered for it" : $"its driver, {change.PfDriver}, registers no devlink instance for it") +
                $", so it has no eswitch mode; {said}",
                pf,
                "Eswitch modes need a driver that registers with devlink and implements switchdev (mlx5_core, ice, …); igb does neither.",
                error),
            Errno.EINVAL or Errno.ERANGE => Rejected(error, change, words),
            Errno.EPERM when !string.IsNullOrEmpty(error.ExtendedAck) => Rejected(error, change, words),
            Errno.EBUSY => new SriovException(
                ErrorCatalog.EswitchModeBusy,
                $"The eswitch of {pf} is busy: {said}",
                pf,
                "Try again once the device is idle: drivers refuse while another eswitch change or a firmware reset is under way.",
                error),
            Errno.EPERM or Errno.EACCES => new SriovException(
                ErrorCatalog.NetlinkPermissionDenied,
                $"The kernel refused to change the eswitch mode of {pf}: {said}",
                pf,
                RootRemedy,
                error),
            _ => new SriovException(
                ErrorCatalog.EswitchModeFailed,
                $"Could not change the eswitch mode of {pf}: {said}",
                pf,
                inner: error),
        };
    }

    /// <summary>The kernel has no devlink at all, so no eswitch mode can be changed.</summary>
    internal static SriovException DevlinkMissing(EswitchChange change) =>
        new SriovException(
            ErrorCatalog.EswitchModeNotSupported,
            $"This kernel has no devlink (no generic netlink family 'devlink'), so '{change.Command}' cannot reach " +
            $"{change.PfDriver ?? "the driver"} of {change.PfDescription}.",
            change.PfDescription,
            "devlink comes with kernels built with CONFIG_NET_DEVLINK, as distribution kernels are.");

    /// <summary>The kernel's answer to a change did not parse: whether it was applied is unknown.</summary>
    internal static SriovException ForUnreadableAnswer(NetlinkDecodeException error, EswitchChange change) =>
        new SriovException(
            ErrorCatalog.EswitchModeFailed,
            $"The kernel's answer to '{change.Command}' did not parse ({error.Message}); whether the eswitch mode of {change.PfDescription} changed is unknown.",
            change.PfDescription,
            $"Check with: devlink dev eswitch show {change.Handle}",
            error);

    /// <summary>A failed <c>devlink dev eswitch show</c> other than "no devlink, no such instance, no eswitch".</summary>
    internal static SriovException ForRead(NetlinkException error, string handle) => error.Errno switch
    {
        Errno.EPERM or Errno.EACCES => new SriovException(
            ErrorCatalog.NetlinkPermissionDenied,
            $"The kernel refused to show the eswitch mode of {handle}: {Words(error)}.",
            handle,
            RootRemedy,
            error),
        _ => new SriovException(
            ErrorCatalog.EswitchModeUnreadable,
            $"Could not read the eswitch mode of {handle} through devlink: {error.Message}",
            handle,
            inner: error),
    };

    internal static SriovException ForDecode(NetlinkDecodeException error, string handle) =>
        new SriovException(
            ErrorCatalog.EswitchModeUnreadable,
            $"The kernel's description of the eswitch of {handle} did not parse: {error.Message}",
            handle,
            $"Report this with the output of 'devlink dev eswitch show {handle}'.",
            error);

    private static SriovException Rejected(NetlinkException error, EswitchChange change, string words) =>
        new SriovException(
            ErrorCatalog.EswitchModeRejected,
            $"The kernel rejected '{change.Command}' for {change.PfDescription}: {words}.",
            change.PfDescription,
            inner: error);

    // The messages end their own sentences, so a final period in the kernel's text is dropped.
    private static string Words(NetlinkException error) =>
        string.IsNullOrEmpty(error.ExtendedAck)
            ? Errno.Describe(error.Errno)
            : Errno.Describe(error.Errno) + ": " + error.ExtendedAck.TrimEnd('.');
}
