namespace SriovPS.Errors;

/// <summary>The errors about VFs that several commands give alike.</summary>
internal static class VfErrors
{
    /// <summary>VF <paramref name="index"/> of a PF (<paramref name="pfLabel"/>) that has <paramref name="numVfs"/> VFs does not exist.</summary>
    public static SriovException NotFound(string pfLabel, int numVfs, int index) => new(
        ErrorCatalog.SriovVfNotFound,
        numVfs == 0
            ? $"{pfLabel} has no VFs, so there is no VF {index}."
            : $"{pfLabel} has {numVfs} VFs (0–{numVfs - 1}): there is no VF {index}.",
        $"{pfLabel} vf {index}",
        $"Get-SriovVf -PfName {pfLabel} lists its VFs.");

    /// <summary>A VF piped in (from an earlier command) is no longer a VF here.</summary>
    public static SriovException Gone(SriovVf old) => new(
        ErrorCatalog.SriovVfNotFound,
        $"{old} ({old.PciAddress}) is no longer a VF on this host.",
        old.PciAddress,
        "Run Get-SriovVf again.");

    /// <summary>The PF of a VF piped in is no longer an SR-IOV PF here.</summary>
    public static SriovException PfGone(SriovVf vf) => new(
        ErrorCatalog.SriovPfNotFound,
        $"The PF {vf.PfPciAddress} of {vf} is no longer an SR-IOV PF on this host.",
        vf.PfPciAddress,
        "Run Get-SriovVf again.");

    /// <summary>VF <paramref name="index"/> went away while it was read: its PF's VFs are being re-created.</summary>
    public static SriovException Vanished(string pfLabel, int index) => new(
        ErrorCatalog.SriovVfNotFound,
        $"VF {index} of {pfLabel} vanished while it was read: its VFs are being re-created.",
        $"{pfLabel} vf {index}",
        "Run the command again.");
}
