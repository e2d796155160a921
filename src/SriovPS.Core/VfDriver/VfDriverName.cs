using System.Text.RegularExpressions;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.VfCount;

namespace SriovPS.VfDriver;

/// <summary>
/// The driver a VF is asked to use: a kernel PCI driver's name (<c>vfio-pci</c>, <c>igbvf</c>), or
/// <c>Default</c>, the driver the kernel picks for the device by itself.
/// </summary>
internal static partial class VfDriverName
{
    public const string Default = "Default";
    public const string VfioPci = "vfio-pci";

    /// <summary>The driver named by <paramref name="value"/>, or <c>null</c> for <c>Default</c> (any case).</summary>
    /// <exception cref="SriovException">Not a driver name: it could name a path.</exception>
    public static string? Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.Equals(value, Default, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!DriverPattern().IsMatch(value))
        {
            throw new SriovException(
                ErrorCatalog.InvalidDriverName,
                $"'{value}' is not a PCI driver name: a name has 1 to 63 letters, digits, '-' or '_', like vfio-pci or igbvf.",
                value,
                "Name a driver listed in /sys/bus/pci/drivers, vfio-pci, or Default.");
        }

        return value;
    }

    /// <summary>
    /// The driver <paramref name="driver"/> (from <see cref="Parse"/>) names on this host, checked the
    /// same way whether the change is only shown (-WhatIf) or made: a registered PCI driver, vfio-pci or
    /// pci-stub (the kernel's own), or a module modprobe can load. A spelling with '_' for '-'
    /// (<c>vfio_pci</c>) is taken as the registered driver's (<c>vfio-pci</c>): driver_override needs
    /// the driver's own name, though modprobe takes either.
    /// </summary>
    /// <param name="report">Told (a note) when the name was respelled.</param>
    /// <exception cref="SriovException">No such driver is registered or installed.</exception>
    public static string Resolve(Native.Files.HostFileSystem files, string driver, IHostReport? report = null)
    {
        var known = files.ListNames(PciDriverBinding.PciDrivers);
        known.AddRange([VfioPci, "pci-stub"]);
        if (known.Contains(driver, StringComparer.Ordinal))
        {
            return driver;
        }

        var alike = known.Where(k => KernelModules.Normalize(k) == KernelModules.Normalize(driver)).Distinct(StringComparer.Ordinal).ToList();
        if (alike.Count == 1)
        {
            report?.Note($"'{driver}' is taken as the PCI driver {alike[0]}: driver_override needs the driver's own spelling.");
            return alike[0];
        }

        var modules = new KernelModules(files);
        if (modules.IsKnown(driver))
        {
            return driver;
        }

        throw new SriovException(
            ErrorCatalog.DriverNotAvailable,
            $"There is no PCI driver '{driver}' on this host: it is not registered in {PciDriverBinding.PciDrivers}, and no module of that name is "
                + (modules.ListsRead ? "installed for the running kernel" : "loaded (the running kernel's module lists could not be read)")
                + "; nothing was changed.",
            driver,
            $"Check the name against {PciDriverBinding.PciDrivers} and 'modinfo {driver}', or give vfio-pci or Default.");
    }

    /// <summary>The PCI drivers the host has registered (<c>/sys/bus/pci/drivers</c>).</summary>
    public static List<string> Registered(HostContext host) => host.Files.ListNames(PciDriverBinding.PciDrivers);

    /// <summary>Drivers that hand the device to user space or park it, so it has no interface: vfio-pci and its variants, uio, pci-stub.</summary>
    public static bool IsUserSpaceDriver(string? driver) =>
        driver is not null
        && (VfHolderScan.IsVfioDriver(driver) || driver.StartsWith("uio_", StringComparison.Ordinal)
            || driver is "igb_uio" or "pci-stub");

    // \z, not $: '$' also matches before a final line break, which would then reach driver_override.
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DriverPattern();
}
