using System;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Native.Netlink;
using SriovPS.Native.Sysfs;

namespace SriovPS.Host;

/// <summary>What rebinding a VF's driver would do for its administrative MAC.</summary>
internal enum VfRebindNeed
{
    /// <summary>The VF's interface already carries the administrative MAC, or none is set.</summary>
    NotNeeded,

    /// <summary>A net driver holds the VF here and its interface does not carry the MAC yet.</summary>
    Needed,

    /// <summary>No driver is bound: whichever binds next reads the MAC.</summary>
    NoDriver,

    /// <summary>
    /// A driver is bound but gives the VF no interface in this namespace: vfio-pci (a guest or a
    /// user-space driver) or an interface moved to another namespace. Rebinding would pull the VF away
    /// from whoever uses it.
    /// </summary>
    NotHere,
}

/// <summary>
/// A PF driver stores a new VF MAC at once but the VF's own driver reads it only when it initialises
/// the VF (igb logs "Reload the VF driver to make this change effective"). This decides whether a
/// rebind is what makes the MAC take effect.
/// </summary>
internal static class VfRebind
{
    /// <param name="macChanging">Whether a new administrative MAC is about to be set.</param>
    internal static VfRebindNeed Assess(SriovVf vf, bool macChanging, HostFileSystem files)
    {
        if (vf.Driver is null)
        {
            return VfRebindNeed.NoDriver;
        }

        if (vf.Name is null)
        {
            return VfRebindNeed.NotHere;
        }

        if (macChanging)
        {
            return VfRebindNeed.Needed;
        }

        if (vf.MacAddress is null || MacAddress.TryParse(vf.MacAddress) is not { } admin || Array.TrueForAll(admin, static b => b == 0))
        {
            return VfRebindNeed.NotNeeded;
        }

        var carried = MacAddress.TryParse(files.ReadAttribute(SriovDiscovery.ClassNet + "/" + vf.Name + "/address"));
        return carried is not null && carried.AsSpan().SequenceEqual(admin) ? VfRebindNeed.NotNeeded : VfRebindNeed.Needed;
    }

    /// <summary>
    /// Rebinds <paramref name="vf"/>'s driver, then makes its new interface carry <paramref name="adminMac"/>
    /// (unless that is all zeros: the driver then picks its own). Returns the interface and whether the
    /// MAC had to be set on it directly; the interface is <c>null</c> when none appeared in time.
    /// </summary>
    /// <exception cref="SriovException">A sysfs write or the address change failed.</exception>
    internal static (string? Interface, bool SetDirectly) RebindAndAdopt(
        KernelLinks links, HostFileSystem files, SriovVf vf, byte[]? adminMac, TimeSpan timeout, CancellationToken cancellation = default)
    {
        string? name = new PciDriverBinding(files).Rebind(
            vf.PciAddress, vf.Driver ?? throw new ArgumentException($"{vf} has no driver to rebind.", nameof(vf)), timeout, cancellation);
        if (name is null || adminMac is null || Array.TrueForAll(adminMac, static b => b == 0))
        {
            return (name, false);
        }

        return (name, AdoptAdminMac(links, files, name, adminMac));
    }

    /// <summary>
    /// After a rebind, makes <paramref name="interfaceName"/> carry <paramref name="adminMac"/> when its
    /// driver did not take it at probe (igbvf gives up and picks a random MAC when its reset handshake
    /// with the PF times out). Setting the interface to the MAC its PF enforces is always allowed.
    /// Returns whether the address had to be set.
    /// </summary>
    /// <exception cref="SriovException">The kernel refused the address.</exception>
    internal static bool AdoptAdminMac(KernelLinks links, HostFileSystem files, string interfaceName, byte[] adminMac)
    {
        var carried = MacAddress.TryParse(files.ReadAttribute(SriovDiscovery.ClassNet + "/" + interfaceName + "/address"));
        if (carried is not null && carried.AsSpan().SequenceEqual(adminMac))
        {
            return false;
        }

        try
        {
            links.Change(LinkChanges.BuildSetAddress(interfaceName, adminMac));
            return true;
        }
        catch (NetlinkException e)
        {
            throw new SriovWriteException(
                ErrorCatalog.VfRebindFailed,
                $"{interfaceName} was rebound but did not take its administrative MAC {KernelLinkMapping.FormatAddress(adminMac)}, " +
                $"and setting it directly failed: {e.Message}",
                interfaceName,
                $"Bring {interfaceName} down and run: ip link set {interfaceName} address {KernelLinkMapping.FormatAddress(adminMac)}",
                e);
        }
    }
}
