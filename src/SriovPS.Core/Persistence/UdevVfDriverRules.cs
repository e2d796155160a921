using System.Text.RegularExpressions;

namespace SriovPS.Persistence;

/// <summary>
/// The per-VF lines of the module's udev rules file, which give VFs their driver at boot:
/// <code>ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:04:10.0", ATTR{driver_override}="vfio-pci", ATTR{subsystem/drivers_probe}="0000:04:10.0", RUN{builtin}+="kmod load vfio-pci"</code>
/// A plain rule races the VF driver's own probe, which runs as the VF is created, before udev sees
/// it. So the PF's line also sets <c>sriov_drivers_autoprobe</c> to 0: no VF of that PF is probed
/// until its line has set the override (udev writes a rule's ATTR assignments in order) and asked for
/// a probe. Loading the driver's module afterwards binds the VF too, through the same override. With
/// autoprobe 0 a VF without an override gets no driver, so every VF of such a PF has a line: the VFs
/// not moved name the driver their modalias matches.
/// </summary>
internal static partial class UdevVfDriverRules
{
    /// <summary>The line that gives the VF at <paramref name="vfAddress"/> <paramref name="driver"/> at boot.</summary>
    public static string Line(string vfAddress, string driver) =>
        $"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"{vfAddress}\", ATTR{{driver_override}}=\"{driver}\", " +
        $"ATTR{{subsystem/drivers_probe}}=\"{vfAddress}\", RUN{{builtin}}+=\"kmod load {driver}\"";

    /// <summary>Every VF line in <paramref name="text"/>: VF address → driver.</summary>
    public static Dictionary<string, string> Find(string? text)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in UdevVfRules.Lines(text))
        {
            if (TryParse(line, out string? vf, out string? driver))
            {
                found[vf!] = driver!;
            }
        }

        return found;
    }

    /// <summary>
    /// The file's text with the lines of <paramref name="vfDrivers"/>: a VF with a driver gets its line
    /// (changed in place or added at the end), a VF with <c>null</c> loses it. Other lines are kept.
    /// </summary>
    public static string? With(string? text, IReadOnlyDictionary<string, string?> vfDrivers)
    {
        var lines = new List<string>(UdevVfRules.Lines(text));
        var placed = new HashSet<string>(StringComparer.Ordinal);
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            if (!TryParse(lines[i], out string? vf, out _) || !vfDrivers.TryGetValue(vf!, out string? driver))
            {
                continue;
            }

            if (driver is null || !placed.Add(vf!))
            {
                lines.RemoveAt(i);
            }
            else
            {
                lines[i] = Line(vf!, driver);
            }
        }

        foreach (var (vf, driver) in vfDrivers)
        {
            if (driver is not null && !placed.Contains(vf))
            {
                UdevVfRules.AddHeaderWhenNew(lines, text);
                text ??= string.Empty;
                lines.Add(Line(vf, driver));
            }
        }

        return UdevVfRules.OnlyHeader(lines) ? null : UdevVfRules.Join(lines);
    }

    private static bool TryParse(string line, out string? vfAddress, out string? driver)
    {
        var match = OwnLine().Match(line);
        (vfAddress, driver) = match.Success ? (match.Groups["vf"].Value, match.Groups["driver"].Value) : (null, null);
        return match.Success;
    }

    [GeneratedRegex(
        """^ACTION=="add", SUBSYSTEM=="pci", KERNEL=="(?<vf>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])", ATTR\{driver_override\}="(?<driver>[A-Za-z0-9_-]{1,63})", ATTR\{subsystem/drivers_probe\}="\k<vf>", RUN\{builtin\}\+="kmod load \k<driver>"$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();
}
