using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using SriovPS.Errors;

namespace SriovPS.Host;

/// <summary>
/// The driver a VF is asked to use: a kernel PCI driver's name (<c>vfio-pci</c>, <c>igbvf</c>), or
/// <c>Default</c>, the driver the kernel picks for the device by itself.
/// </summary>
internal static partial class VfDriverName
{
    public const string Default = "Default";
    public const string VfioPci = "vfio-pci";

    /// <summary>The driver named by <paramref name="value"/>, or <c>null</c> for <c>Default</c> (any case).</summary>
    /// <exception cref="SriovInvalidArgumentException">Not a driver name: it could name a path.</exception>
    public static string? Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.Equals(value, Default, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!DriverPattern().IsMatch(value))
        {
            throw new SriovInvalidArgumentException(
                ErrorCatalog.InvalidDriverName,
                $"'{value}' is not a PCI driver name: a name has 1 to 63 letters, digits, '-' or '_', like vfio-pci or igbvf.",
                value,
                "Name a driver listed in /sys/bus/pci/drivers, vfio-pci, or Default.");
        }

        return value;
    }

    /// <summary>The PCI drivers the host has registered (<c>/sys/bus/pci/drivers</c>).</summary>
    public static List<string> Registered(HostContext host) => host.Files.ListNames(PciDriverBinding.PciDrivers);

    /// <summary>Drivers that hand the device to user space or park it, so it has no interface: vfio-pci and its variants, uio, pci-stub.</summary>
    public static bool IsUserSpaceDriver(string? driver) =>
        driver is not null
        && (VfHolderScan.IsVfioDriver(driver) || driver.StartsWith("uio_", StringComparison.Ordinal)
            || driver is "igb_uio" or "pci-stub");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex DriverPattern();
}
