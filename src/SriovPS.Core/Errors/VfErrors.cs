namespace SriovPS.Errors;

/// <summary>The errors about VFs that several commands give alike.</summary>
public static class VfErrors
{
    /// <summary>VF <paramref name="index"/> of a PF (<paramref name="pfLabel"/>) that has <paramref name="numVfs"/> VFs does not exist.</summary>
    public static SriovException NotFound(string pfLabel, int numVfs, int index) => new(
        ErrorCatalog.SriovVfNotFound,
        numVfs == 0
            ? $"{pfLabel} has no VFs, so there is no VF {index}."
            : $"{pfLabel} has {numVfs} VFs (0–{numVfs - 1}): there is no VF {index}.",
        $"{pfLabel} vf {index}",
        $"Get-SriovVf -PfName {pfLabel} lists its VFs.");
}
