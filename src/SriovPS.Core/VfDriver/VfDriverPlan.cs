using System.Text;
using SriovPS.Discovery;
using SriovPS.Native.Files;
using SriovPS.VfCount;

namespace SriovPS.VfDriver;

/// <summary>
/// One VF's driver change: the <c>driver_override</c> to write (<c>null</c> clears it), and whether the
/// VF must leave its driver and be probed again.
/// </summary>
/// <param name="DefaultDriver">For <c>Default</c>, the driver the VF's modalias matches, when known.</param>
internal sealed record VfDriverMove(
    SriovPf Pf, SriovVf Vf, string? Target, string? CurrentOverride, string? Override, bool Reprobe, string? DefaultDriver = null)
{
    /// <summary>Whether anything is written for this VF.</summary>
    public bool Changes => Reprobe || Override != CurrentOverride;

    /// <summary>The driver expected on the VF afterwards; <c>null</c> when the kernel's choice is not known here.</summary>
    public string? ExpectedDriver => Target ?? Override ?? DefaultDriver;

    /// <summary>The ShouldProcess target: <c>0000:04:11.4 (eno49 vf 3)</c>.</summary>
    public string Label => $"{Vf.PciAddress} ({Vf})";

    /// <summary>What will be done, for ShouldProcess and -WhatIf.</summary>
    public string Action
    {
        get
        {
            string to = Target ?? (DefaultDriver is null ? "its default driver" : $"its default driver {DefaultDriver}");
            string from = Vf.Driver is null ? "no driver now" : $"now {Vf.Driver}";
            if (!Reprobe)
            {
                return Override is null
                    ? $"clear driver_override (stays on {Vf.Driver})"
                    : $"set driver_override to {Override} (already bound to {Vf.Driver})";
            }

            var steps = new StringBuilder(Override is null ? "clear driver_override" : $"driver_override={Override}");
            if (Vf.Driver is not null)
            {
                steps.Append(", unbind from ").Append(Vf.Driver);
            }

            return steps.Append(", drivers_probe").Insert(0, $"bind to {to} ({from}): ").ToString();
        }
    }
}

/// <summary>
/// Which VFs change driver and how, decided from sysfs before anything is written: the same request
/// twice finds nothing to do, and a VF whose IOMMU group the move would split is refused with the
/// devices named, since vfio can only hand a whole group to user space.
/// </summary>
internal sealed class VfDriverPlan
{
    private const string IommuGroups = "/sys/kernel/iommu_groups";

    private VfDriverPlan()
    {
    }

    /// <summary>VFs that change, in the order given.</summary>
    public List<VfDriverMove> Moves { get; } = [];

    /// <summary>VFs already as asked.</summary>
    public List<VfDriverMove> Unchanged { get; } = [];

    /// <summary>VFs refused before anything was written, each with its reason.</summary>
    public List<SriovException> Refusals { get; } = [];

    /// <summary>
    /// Plans moving <paramref name="vfs"/> to <paramref name="driver"/> (<c>null</c>: the kernel's own
    /// choice). VFs that share an IOMMU group are judged together: a group is fine when all of its
    /// devices move, are already on vfio or pci-stub, or are bridges.
    /// </summary>
    public static VfDriverPlan For(HostFileSystem files, IReadOnlyList<(SriovPf Pf, SriovVf Vf)> vfs, string? driver)
    {
        var plan = new VfDriverPlan();
        var availability = new PciDriverAvailability(files);
        var moving = new HashSet<string>(vfs.Select(v => v.Vf.PciAddress), StringComparer.Ordinal);
        foreach (var (pf, vf) in vfs)
        {
            string? current = ReadOverride(files, vf.PciAddress);
            try
            {
                var move = driver is null
                    ? ForDefault(availability, pf, vf, current)
                    : new VfDriverMove(pf, vf, driver, current, driver, vf.Driver != driver);
                if (move.Reprobe && VfHolderScan.IsVfioDriver(driver))
                {
                    CheckGroup(files, vf, moving);
                }

                (move.Changes ? plan.Moves : plan.Unchanged).Add(move);
            }
            catch (SriovException e)
            {
                plan.Refusals.Add(e);
            }
        }

        return plan;
    }

    /// <summary>A VF's <c>driver_override</c>; <c>null</c> when unset (the kernel shows "(null)") or unreadable.</summary>
    internal static string? ReadOverride(HostFileSystem files, string pciAddress)
    {
        string? value = files.ReadAttribute(SriovDiscovery.PciDevices + "/" + pciAddress + "/driver_override")?.Trim();
        return value is null or "" or "(null)" ? null : value;
    }

    private static VfDriverMove ForDefault(PciDriverAvailability availability, SriovPf pf, SriovVf vf, string? current)
    {
        string? module = availability.DefaultModule(vf.PciAddress);

        // With sriov_drivers_autoprobe 0 the kernel binds a VF only to the driver its override names,
        // so there "the kernel's choice" has to be written out.
        string? wanted = null;
        if (pf.DriversAutoprobe == false)
        {
            wanted = module ?? throw new SriovException(
                ErrorCatalog.DriverNotAvailable,
                $"{vf} has no default driver to go back to: no module of the running kernel matches its modalias, and {pf.Name ?? pf.PciAddress} has sriov_drivers_autoprobe 0, so nothing would bind it.",
                vf.PciAddress,
                "Install the kernel modules for this NIC's VFs, or name a driver with -Driver.");
        }

        bool reprobe = vf.Driver is null || VfDriverName.IsUserSpaceDriver(vf.Driver) || (wanted is not null && vf.Driver != wanted);
        return new VfDriverMove(pf, vf, null, current, wanted, reprobe, module);
    }

    private static void CheckGroup(HostFileSystem files, SriovVf vf, HashSet<string> moving)
    {
        // The bus's link to the device stays when the device goes; its attributes do not.
        if (vf.IommuGroup is null && !files.Exists(SriovDiscovery.PciDevices + "/" + vf.PciAddress + "/vendor"))
        {
            // It has no group because it has no device: it went away since it was read.
            throw new SriovException(
                ErrorCatalog.SriovVfNotFound,
                $"{vf} ({vf.PciAddress}) is no longer on the PCI bus ({SriovDiscovery.PciDevices}/{vf.PciAddress} is gone), so nothing was changed for it.",
                vf.PciAddress,
                "Run Get-SriovVf again: its PF's VFs were probably removed or created again.");
        }

        if (vf.IommuGroup is not int group)
        {
            throw new SriovException(
                ErrorCatalog.VfioRequiresIommu,
                $"{vf} has no IOMMU group, so vfio-pci cannot take it: the IOMMU is off.",
                vf.PciAddress,
                "Turn the IOMMU on (intel_iommu=on iommu=pt on the kernel command line on Intel; on AMD it is on unless amd_iommu=off or iommu=off), reboot, and run the command again.");
        }

        string directory = IommuGroups + "/" + group.ToString(CultureInfo.InvariantCulture) + "/devices";
        var blockers = new List<string>();
        foreach (var device in files.ListNames(directory).Order(StringComparer.Ordinal))
        {
            if (moving.Contains(device))
            {
                continue;
            }

            string path = SriovDiscovery.PciDevices + "/" + device;
            string? driver = files.ReadLinkName(path, "driver");
            if (!PciBridges.IsBridge(files, device) && !VfHolderScan.IsVfioDriver(driver) && driver != "pci-stub")
            {
                string? netdev = SriovDiscovery.FirstInterface(files, path);
                blockers.Add(device + " (" + (driver ?? "no driver") + (netdev is null ? string.Empty : ", " + netdev) + ")");
            }
        }

        if (blockers.Count > 0)
        {
            throw new SriovException(
                ErrorCatalog.IommuGroupShared,
                $"{vf} shares IOMMU group {group} with {string.Join(", ", blockers)}; vfio hands a whole group to one user, so the VF cannot move alone and nothing was changed for it.",
                vf.PciAddress,
                "Move those devices to vfio-pci in the same command, or put the NIC in a slot behind an ACS-capable port so each function gets its own group.");
        }
    }
}
