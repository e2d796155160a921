using SriovPS.Persistence;

namespace SriovPS.VfDriver;

/// <summary>
/// What the udev rules file must say for a PF's VF drivers after <c>Set-SriovVfDriver -Persist</c>:
/// while any VF of the PF is to get a driver other than its own, the PF's line holds autoprobe at 0
/// and every VF has a line; once none is, the VF lines go and the PF's line no longer sets autoprobe.
/// </summary>
internal static class VfDriverPersistence
{
    /// <summary>The new file text (<c>null</c>: the file goes), with warnings for the caller.</summary>
    /// <param name="text">The file's text now, <c>null</c> when it does not exist.</param>
    /// <param name="pf">The PF whose VFs change.</param>
    /// <param name="vfs">All of the PF's VFs.</param>
    /// <param name="drivers">The VFs being changed: address → driver, <c>null</c> for Default.</param>
    public static (string? Text, List<string> Warnings) Plan(
        string? text, SriovPf pf, IReadOnlyList<SriovVf> vfs, IReadOnlyDictionary<string, string?> drivers, PciDriverAvailability availability)
    {
        var warnings = new List<string>();
        var existing = UdevVfDriverRules.Find(text);
        var wanted = new Dictionary<string, string?>(StringComparer.Ordinal);
        bool chosen = false;
        foreach (var vf in vfs)
        {
            string? own = availability.DefaultModule(vf.PciAddress);
            string? driver = drivers.TryGetValue(vf.PciAddress, out string? asked)
                ? asked ?? own
                : existing.GetValueOrDefault(vf.PciAddress) ?? own;
            wanted[vf.PciAddress] = driver;
            // Without a known driver of its own (no modalias match), only a user-space driver is a choice.
            chosen |= driver is not null && (own is null ? VfDriverName.IsUserSpaceDriver(driver) : !SameDriver(driver, own));
        }

        string label = pf.Name ?? pf.PciAddress;
        var entry = UdevVfRules.Find(text, pf.PciAddress);
        if (!chosen)
        {
            string? cleared = UdevVfDriverRules.With(text, wanted.ToDictionary(pair => pair.Key, _ => (string?)null, StringComparer.Ordinal));
            return (entry is { DriversAutoprobe: false } e && cleared is not null
                ? UdevVfRules.WithEntry(cleared, pf.PciAddress, e with { DriversAutoprobe = null })
                : cleared, warnings);
        }

        foreach (var vf in vfs.Where(vf => wanted[vf.PciAddress] is null))
        {
            warnings.Add($"{vf} gets no driver at boot: {label}'s sriov_drivers_autoprobe is held at 0 and no module matches the VF.");
        }

        if (entry is null)
        {
            warnings.Add($"The rules file had no line creating {label}'s VFs, so one was added recreating its {pf.NumVfs} VFs at boot.");
        }

        string held = UdevVfRules.WithEntry(text, pf.PciAddress, new UdevVfRules.Entry(entry?.NumVfs ?? pf.NumVfs, false));
        return (UdevVfDriverRules.With(held, wanted), warnings);
    }

    /// <summary>Module names (modules.alias) spell with '_' what some driver names spell with '-'.</summary>
    internal static bool SameDriver(string? a, string? b) =>
        a is not null && b is not null && a.Replace('-', '_') == b.Replace('-', '_');
}
