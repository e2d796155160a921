namespace SriovPS.Errors;

/// <summary>The errors about PFs that several commands give alike.</summary>
internal static class PfErrors
{
    /// <summary>A PF piped in (from an earlier command) is no longer an SR-IOV PF here.</summary>
    public static SriovException Gone(SriovPf old) => new(
        ErrorCatalog.SriovPfNotFound,
        $"{old} ({old.PciAddress}) is no longer an SR-IOV PF on this host.",
        old.PciAddress,
        "Run Get-SriovPf again.");

    /// <summary>The PF has no network interface here, which <paramref name="why"/> needs.</summary>
    /// <param name="why">What needs it, as the end of a sentence: "so its link and MTU cannot be set".</param>
    public static SriovException InterfaceMissing(SriovPf pf, string why) => new(
        ErrorCatalog.PfInterfaceMissing,
        $"The PF {pf.PciAddress} has no network interface in this namespace (driver: {pf.Driver ?? "none"}), {why}.",
        pf.PciAddress,
        "Bind the PF's network driver, or run the command in the namespace that holds its interface.");
}
