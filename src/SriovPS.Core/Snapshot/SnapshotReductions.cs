using System.Text;

namespace SriovPS.Snapshot;

/// <summary>
/// How a snapshot keeps only what the module reads of a file: the pci.ids lines of the devices there
/// are, the settings of qemu.conf the checks judge (other lines blanked, so line numbers stay), and the
/// host paths sysfs links lead to.
/// </summary>
internal static class SnapshotReductions
{
    /// <summary>The vendor and device lines of pci.ids for <paramref name="wanted"/>, in the file's own order and format.</summary>
    internal static string PciNames(string text, HashSet<(string Vendor, string Device)> wanted)
    {
        var result = new StringBuilder();
        var vendors = wanted.Select(w => w.Vendor).ToHashSet(StringComparer.Ordinal);
        string? vendor = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 4 && line[0] != '\t' && line[0] != '#' && line[4] == ' ')
            {
                // A new vendor line ends the last vendor; class lines (C 02 ...) start with "C ".
                vendor = line[..4].ToLowerInvariant();
                if (vendors.Contains(vendor))
                {
                    result.Append(line).Append('\n');
                }
                else
                {
                    vendor = null;
                }
            }
            else if (vendor is not null && line.Length > 5 && line[0] == '\t' && line[1] != '\t'
                && wanted.Contains((vendor, line.Substring(1, 4).ToLowerInvariant())))
            {
                result.Append(line).Append('\n');
            }
            else if (line.Length > 0 && line[0] != '\t' && line[0] != '#')
            {
                vendor = null;
            }
        }

        return result.ToString();
    }

    internal static string Id(string value) => value.Trim().Replace("0x", "", StringComparison.Ordinal).ToLowerInvariant();

    internal static IEnumerable<string> QemuConfSettings(IEnumerable<string> lines) => lines.Select(line =>
    {
        string setting = line.TrimStart();
        return SnapshotFileRules.QemuConfSettings.Any(s => setting.StartsWith(s, StringComparison.Ordinal)
            && setting[s.Length..].TrimStart().StartsWith('=')) ? line : "";
    });

    /// <summary>Joins a host path and a relative link target, resolving '.' and '..'.</summary>
    internal static string Resolve(string directory, string target)
    {
        var parts = new List<string>(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }
}
