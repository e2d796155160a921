using System.Threading;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Native.Netlink;
using SriovPS.Values;

namespace SriovPS.VfDriver;

/// <summary>What rebinding a VF's driver would do for its administrative MAC.</summary>
internal enum VfRebindNeed
{
    /// <summary>The VF's interface already carries the administrative MAC, none is set, or its address cannot be read.</summary>
    NotNeeded,

    /// <summary>A net driver holds the VF here, its interface is idle, and it does not carry the MAC.</summary>
    Needed,

    /// <summary>No driver is bound: whichever binds next reads the MAC.</summary>
    NoDriver,

    /// <summary>
    /// A driver is bound but gives the VF no interface in this namespace: vfio-pci (a guest or a
    /// user-space driver) or an interface moved to another namespace.
    /// </summary>
    NotHere,

    /// <summary>
    /// The interface is up, enslaved (bond, bridge, OVS) or under other devices (macvtap, macvlan,
    /// VLANs): rebinding would tear those down.
    /// </summary>
    InUse,
}

/// <summary>
/// A PF driver stores a new VF MAC at once but the VF's own driver reads it only when it initialises
/// the VF (igb logs "Reload the VF driver to make this change effective"). This decides whether a
/// rebind is what makes the MAC take effect, and never rebinds a VF something is using.
/// </summary>
internal static class VfRebind
{
    /// <param name="adminMac">The administrative MAC the VF should carry (being set now, or set earlier).</param>
    internal static VfRebindNeed Assess(SriovVf vf, byte[]? adminMac, HostFileSystem files)
    {
        if (vf.Driver is null)
        {
            return VfRebindNeed.NoDriver;
        }

        if (vf.Name is null)
        {
            return VfRebindNeed.NotHere;
        }

        if (adminMac is null || IsZero(adminMac))
        {
            return VfRebindNeed.NotNeeded;
        }

        string net = SriovDiscovery.ClassNet + "/" + vf.Name;

        // Unreadable (renamed meanwhile, or not Ethernet): never rebind on a guess.
        var carried = MacAddress.TryParse(files.ReadAttribute(net + "/address"));
        if (carried is null || carried.AsSpan().SequenceEqual(adminMac))
        {
            return VfRebindNeed.NotNeeded;
        }

        return IsInUse(files, net) ? VfRebindNeed.InUse : VfRebindNeed.Needed;
    }

    /// <summary>
    /// Rebinds <paramref name="vf"/>'s driver, then makes its new interface carry <paramref name="adminMac"/>.
    /// Returns the interface (<c>null</c> when none appeared in time) and whether the MAC had to be set on it directly.
    /// </summary>
    /// <exception cref="SriovException">A sysfs write or the address change failed.</exception>
    internal static (string? Interface, bool SetDirectly) RebindAndAdopt(
        KernelLinks links, HostFileSystem files, SriovVf vf, byte[] adminMac, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var binding = new PciDriverBinding(files);
        string? name = binding.Rebind(
            vf.PciAddress, vf.Driver ?? throw new ArgumentException($"{vf} has no driver to rebind.", nameof(vf)), timeout, cancellation);
        if (name is null)
        {
            return (null, false);
        }

        bool setDirectly = AdoptAdminMac(links, files, vf.PciAddress, adminMac);

        // udev may have renamed the interface meanwhile: report the name it has now.
        return (binding.WaitForInterface(vf.PciAddress, TimeSpan.Zero) ?? name, setDirectly);
    }

    /// <summary>
    /// After a rebind, makes the interface of <paramref name="pciAddress"/> carry <paramref name="adminMac"/>
    /// when its driver did not take it at probe (igbvf picks a random MAC when its reset handshake with
    /// the PF fails). The interface is addressed by ifindex, which survives a rename by udev. Setting
    /// the MAC the PF enforces is always allowed. Returns whether the address had to be set.
    /// </summary>
    /// <exception cref="SriovException">The kernel refused the address.</exception>
    internal static bool AdoptAdminMac(KernelLinks links, HostFileSystem files, string pciAddress, byte[] adminMac)
    {
        if (IsZero(adminMac))
        {
            return false;
        }

        string pciDevice = SriovDiscovery.PciDevices + "/" + pciAddress;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (SriovDiscovery.FirstInterface(files, pciDevice) is not { } name)
            {
                return false;
            }

            string device = pciDevice + "/net/" + name;
            var carried = MacAddress.TryParse(files.ReadAttribute(device + "/address"));
            if (!int.TryParse(files.ReadAttribute(device + "/ifindex"), NumberStyles.None, CultureInfo.InvariantCulture, out int ifindex) || carried is null)
            {
                // Renamed between the listing and the reads: list again.
                continue;
            }

            if (carried.AsSpan().SequenceEqual(adminMac))
            {
                return false;
            }

            try
            {
                links.Change(LinkChanges.BuildSetAddress(ifindex, adminMac));
                return true;
            }
            catch (Exception e) when (e is NetlinkException or NetlinkDecodeException)
            {
                string mac = KernelLinkMapping.FormatAddress(adminMac)!;
                throw new SriovException(
                    ErrorCatalog.VfRebindFailed,
                    $"{name} was rebound but did not take its administrative MAC {mac}, and setting it directly failed: {e.Message}",
                    name,
                    $"Bring {name} down and run: ip link set {name} address {mac}",
                    e);
            }
        }

        return false;
    }

    private static bool IsInUse(HostFileSystem files, string net)
    {
        if (files.ReadLink(net + "/master") is not null)
        {
            return true;
        }

        foreach (var entry in files.ListNames(net))
        {
            if (entry.StartsWith("upper_", StringComparison.Ordinal))
            {
                return true;
            }
        }

        int flags = SriovDiscovery.ReadHex(files, net, "flags");
        return flags >= 0 && (flags & SriovDiscovery.IffUp) != 0;
    }

    private static bool IsZero(byte[] address) => Array.TrueForAll(address, static b => b == 0);
}
