using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.PfSettings;

/// <summary>Sends a <see cref="PfLinkPlan"/>'s changes one request each, stopping at the first refusal.</summary>
internal sealed class PfLinkWriter(KernelLinks links)
{
    /// <summary>Applies every change of <paramref name="plan"/>; returns the <c>ip link</c> words applied.</summary>
    /// <exception cref="SriovException">The kernel refused one; the message says what was applied before it.</exception>
    public List<string> Apply(string name, string? driver, PfLinkPlan plan)
    {
        var applied = new List<string>();
        foreach (var change in plan.Changes)
        {
            try
            {
                links.Change(change.Request);
            }
            catch (NetlinkException e)
            {
                throw Refused(e, name, driver, change, applied);
            }

            applied.Add(change.IpArguments);
        }

        return applied;
    }

    internal static SriovException Refused(NetlinkException error, string name, string? driver, PfLinkChange change, List<string> applied)
    {
        string command = $"ip link set {name} {change.IpArguments}";
        string words = string.IsNullOrEmpty(error.ExtendedAck)
            ? Errno.Describe(error.Errno)
            : Errno.Describe(error.Errno) + ": " + error.ExtendedAck;
        string outcome = applied.Count == 0
            ? $" Nothing was changed on {name}."
            : $" Applied to {name}: {string.Join(", ", applied)}.";
        return error.Errno switch
        {
            Errno.EOPNOTSUPP => new SriovException(
                ErrorCatalog.PfSettingNotSupported,
                $"{driver ?? "The PF's driver"} does not support '{command}': the kernel answered \"{words}\".{outcome}",
                name,
                inner: error),
            Errno.EINVAL or Errno.ERANGE => new SriovException(
                ErrorCatalog.PfSettingRejected,
                $"The kernel rejected '{command}': {words}.{outcome}",
                name,
                change.IpArguments.StartsWith("mtu", System.StringComparison.Ordinal)
                    ? $"'ip -d link show {name}' shows the driver's minmtu and maxmtu."
                    : null,
                error),
            Errno.EPERM or Errno.EACCES => new SriovException(
                ErrorCatalog.NetlinkPermissionDenied,
                $"The kernel refused '{command}': \"{words}\".{outcome}",
                name,
                "Run PowerShell as root, or with CAP_NET_ADMIN.",
                error),
            Errno.ENODEV => new SriovException(
                ErrorCatalog.InterfaceNotFound,
                $"The kernel has no interface '{name}' any more: it was removed or renamed.{outcome}",
                name,
                "Run Get-SriovPf to see the PFs as they are now.",
                error),
            _ => new SriovException(
                ErrorCatalog.PfSettingFailed,
                $"Could not run the equivalent of '{command}': the kernel answered \"{words}\".{outcome}",
                name,
                inner: error),
        };
    }
}
