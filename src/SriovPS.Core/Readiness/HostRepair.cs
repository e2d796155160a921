namespace SriovPS.Readiness;

/// <summary>The SriovPS change that is a check's remedy, which <c>Test-SriovHost -Fix</c> can make.</summary>
internal enum HostRepairKind
{
    /// <summary><c>Enable-SriovIommu</c>'s kernel words in /etc/default/grub.</summary>
    KernelCommandLine,

    /// <summary><c>Enable-SriovIommu</c>'s /etc/modules-load.d/vfio.conf.</summary>
    VfioModules,

    /// <summary><c>Repair-VfioAppArmor</c> for the groups of the VFs pools hand out.</summary>
    VfioAppArmor,

    /// <summary><c>Set-SriovPf -LinkState Up -Persist</c> on <see cref="HostRepair.PfName"/>.</summary>
    PfLinkUp,
}

/// <summary>A check's remedy as a change the module can make.</summary>
internal sealed record HostRepair(HostRepairKind Kind, string? PfName = null)
{
    public static readonly HostRepair KernelCommandLine = new(HostRepairKind.KernelCommandLine);
    public static readonly HostRepair VfioModules = new(HostRepairKind.VfioModules);
    public static readonly HostRepair VfioAppArmor = new(HostRepairKind.VfioAppArmor);
}
