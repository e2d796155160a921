namespace SriovPS.VfCount;

/// <summary>
/// What changing a PF's VF count (and its <c>sriov_drivers_autoprobe</c>) would do, worked out from the
/// PF as read, before anything is written. The kernel only goes from 0 VFs to N or from N to 0, so any
/// other change passes through 0 and destroys every present VF.
/// </summary>
internal sealed class VfCountPlan
{
    private VfCountPlan(SriovPf pf, int count, bool? driversAutoprobe)
    {
        Pf = pf;
        Count = count;
        DriversAutoprobe = driversAutoprobe;
    }

    public SriovPf Pf { get; }

    /// <summary>The VF count asked for.</summary>
    public int Count { get; }

    /// <summary>The autoprobe setting asked for; <c>null</c> to leave it.</summary>
    public bool? DriversAutoprobe { get; }

    public bool ChangesCount => Count != Pf.NumVfs;

    /// <summary>Whether present VFs go away (every one of them, not just those above the new count).</summary>
    public bool DestroysVfs => ChangesCount && Pf.NumVfs > 0;

    public bool ChangesAutoprobe => DriversAutoprobe is bool wanted && Pf.DriversAutoprobe != wanted;

    public bool IsNoOp => !ChangesCount && !ChangesAutoprobe;

    /// <summary>The PF as ShouldProcess names it: <c>0000:04:00.0 (eno49)</c>.</summary>
    public string Target => Pf.Name is null ? Pf.PciAddress : $"{Pf.PciAddress} ({Pf.Name})";

    /// <summary>The change in a few words, for -WhatIf and -Confirm.</summary>
    public string Action
    {
        get
        {
            string count = !ChangesCount ? string.Empty
                : Count == 0 ? $"remove all {Pf.NumVfs} VFs"
                : Pf.NumVfs == 0 ? $"create {Count} VFs"
                : $"re-create its VFs, {Pf.NumVfs} → {Count} (all {Pf.NumVfs} present VFs are destroyed first)";
            string autoprobe = ChangesAutoprobe ? $"set sriov_drivers_autoprobe to {(DriversAutoprobe!.Value ? 1 : 0)}" : string.Empty;
            return count.Length > 0 && autoprobe.Length > 0 ? $"{autoprobe}, then {count}" : count + autoprobe;
        }
    }

    /// <summary>
    /// The plan for giving <paramref name="pf"/> <paramref name="count"/> VFs; <paramref name="allowZero"/>
    /// for Disable-SriovVf, which asks for 0.
    /// </summary>
    /// <exception cref="SriovException">The count is outside 1 (or 0) to the PF's TotalVfs.</exception>
    /// <exception cref="SriovException">The PF has no driver, which is what creates VFs.</exception>
    public static VfCountPlan For(SriovPf pf, int count, bool? driversAutoprobe = null, bool allowZero = false)
    {
        string label = pf.Name ?? pf.PciAddress;
        int lowest = allowZero ? 0 : 1;
        if (count < lowest || count > pf.TotalVfs)
        {
            string range = pf.TotalVfs == 0
                ? $"{label} cannot create VFs (sriov_totalvfs is 0)"
                : $"{label} takes {lowest} to {pf.TotalVfs} VFs (sriov_totalvfs {pf.TotalVfs})";
            throw new SriovException(
                ErrorCatalog.VfCountOutOfRange,
                $"{count.ToString(CultureInfo.InvariantCulture)} VFs is out of range: {range}. Nothing was changed.",
                label,
                count < lowest && !allowZero
                    ? $"Disable-SriovVf -PfName {label} removes all VFs."
                    : $"Give a count from {lowest} to {pf.TotalVfs}; some drivers take a larger maximum as a module parameter (igb max_vfs, for example).");
        }

        var plan = new VfCountPlan(pf, count, driversAutoprobe);
        if (plan.ChangesCount && pf.Driver is null)
        {
            throw new SriovException(
                ErrorCatalog.PfDriverMissing,
                $"{label} has no driver bound, and the PF's driver is what creates and removes VFs. Nothing was changed.",
                label,
                $"Bind its driver (echo {pf.PciAddress} > /sys/bus/pci/drivers_probe) or load the driver module.");
        }

        return plan;
    }
}
