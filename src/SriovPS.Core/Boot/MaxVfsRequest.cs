namespace SriovPS.Boot;

/// <summary>Enable-SriovIommu's -MaxVfs, checked against this host before anything is written.</summary>
internal static class MaxVfsRequest
{
    /// <summary>
    /// The counts <paramref name="given"/> (DRIVER=COUNT), each driver once, each a module this host has, and
    /// none above what this host's PFs with that driver support.
    /// </summary>
    /// <exception cref="SriovException">A value is malformed, repeated, unknown here, or too large (InvalidMaxVfs).</exception>
    public static List<ModuleMaxVfs> Parse(HostSession session, IEnumerable<string> given)
    {
        var maxVfs = given.Select(ModuleMaxVfs.Parse).ToList();
        if (maxVfs.GroupBy(m => m.Module).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"-MaxVfs names {twice.Key} more than once; give each driver one count.",
                twice.Key);
        }

        foreach (var driver in maxVfs)
        {
            Check(session, driver);
        }

        return maxVfs;
    }

    private static void Check(HostSession session, ModuleMaxVfs driver)
    {
        var all = session.AllPfs();
        driver.CheckKnown(session.Files, all.Select(p => p.Driver));
        driver.CheckParameter(session.Files);

        var pfs = all.Where(p => p.Driver is { } d && d.Replace('-', '_') == driver.Module).ToList();
        if (pfs.Count > 0 && pfs.Max(p => p.TotalVfs) is int most && driver.Count > most)
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"-MaxVfs {driver.Module}={driver.Count} is more than the {driver.Module} PFs here support: {string.Join(", ", pfs.Select(p => $"{p} {p.TotalVfs}"))} (sriov_totalvfs).",
                driver.Module,
                $"Give at most {most}: -MaxVfs {driver.Module}={most}.");
        }
    }
}
