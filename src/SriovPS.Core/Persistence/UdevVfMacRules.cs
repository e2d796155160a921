using System.Text.RegularExpressions;

namespace SriovPS.Persistence;

/// <summary>
/// The per-VF MAC lines of the module's udev rules file, which give VFs their administrative MAC again
/// each time they are created (at boot, by the PF's line):
/// <code>ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:04:10.0", RUN+="/usr/sbin/ip link set dev eno49 vf 0 mac 32:5e:0f:a0:00:00"</code>
/// udev runs RUN programs once the event's rules are applied, so on a VF that also has a driver line the
/// MAC is set after that driver is bound; a VF on its kernel driver is bound even earlier, as it is
/// created. The line names the PF by the interface name it had when the line was written.
/// </summary>
internal static partial class UdevVfMacRules
{
    /// <summary>Where <c>ip</c> is found on a host, first match used.</summary>
    internal static readonly string[] IpPrograms = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    /// <summary>What one VF's line does.</summary>
    internal readonly record struct Entry(string Ip, string PfName, int Index, string Mac);

    /// <summary>The line that sets the MAC of the VF at <paramref name="vfAddress"/> when it appears.</summary>
    public static string Line(string vfAddress, Entry entry) =>
        $"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"{vfAddress}\", " +
        string.Create(CultureInfo.InvariantCulture, $"RUN+=\"{entry.Ip} link set dev {entry.PfName} vf {entry.Index} mac {entry.Mac}\"");

    /// <summary>Every VF MAC line in <paramref name="text"/>: VF address → what it does.</summary>
    public static Dictionary<string, Entry> Find(string? text)
    {
        var found = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var line in UdevVfRules.Lines(text))
        {
            if (TryParse(line, out string? vf, out var entry))
            {
                found[vf!] = entry;
            }
        }

        return found;
    }

    /// <summary>
    /// The file's text with the MAC lines of <paramref name="macs"/>: a VF with an entry gets its line
    /// (changed in place or added at the end), a VF with <c>null</c> loses it. Other lines are kept.
    /// </summary>
    public static string? With(string? text, IReadOnlyDictionary<string, Entry?> macs)
    {
        var lines = new List<string>(UdevVfRules.Lines(text));
        var placed = new HashSet<string>(StringComparer.Ordinal);
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            if (!TryParse(lines[i], out string? vf, out _) || !macs.TryGetValue(vf!, out var entry))
            {
                continue;
            }

            if (entry is null || !placed.Add(vf!))
            {
                lines.RemoveAt(i);
            }
            else
            {
                lines[i] = Line(vf!, entry.Value);
            }
        }

        foreach (var (vf, entry) in macs)
        {
            if (entry is { } wanted && !placed.Contains(vf))
            {
                UdevVfRules.AddHeaderWhenNew(lines, text);
                text ??= string.Empty;
                lines.Add(Line(vf, wanted));
            }
        }

        return UdevVfRules.OnlyHeader(lines) ? null : UdevVfRules.Join(lines);
    }

    private static bool TryParse(string line, out string? vfAddress, out Entry entry)
    {
        var match = OwnLine().Match(line);
        vfAddress = match.Success ? match.Groups["vf"].Value : null;
        entry = match.Success
            ? new Entry(match.Groups["ip"].Value, match.Groups["pf"].Value, int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture), match.Groups["mac"].Value)
            : default;
        return match.Success;
    }

    [GeneratedRegex(
        """^ACTION=="add", SUBSYSTEM=="pci", KERNEL=="(?<vf>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])", RUN\+="(?<ip>/[A-Za-z0-9/._-]+) link set dev (?<pf>[^\s"/]{1,15}) vf (?<index>[0-9]{1,5}) mac (?<mac>[0-9a-f]{2}(:[0-9a-f]{2}){5})"$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();
}
