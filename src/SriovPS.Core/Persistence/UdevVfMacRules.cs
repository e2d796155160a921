using System.Text.RegularExpressions;

namespace SriovPS.Persistence;

/// <summary>
/// The per-VF MAC lines of the module's udev rules file, which give VFs their administrative MAC again
/// each time the PF's count line creates them:
/// <code>ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", TEST=="device/virtfn0", RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00"</code>
/// The line is on the PF's interface event, after the PF's count line: udev applies rules in file order,
/// so the count line's <c>sriov_numvfs</c> write has made the VFs when TEST checks for the VF, and RUN
/// programs run once the event's rules are applied. A line on the VF's own PCI event would race that
/// event's end: the VF events are handled in parallel while the PF's interface is still to be renamed
/// (eth0 to eno49), so a PF named in the line may not exist yet. udev expands RUN as it reads the rule,
/// and the rename is asked for by a later rules file, so <c>$name</c> would still be the kernel's name;
/// the PF is named by its interface index instead, which a rename keeps and <c>ip</c> takes as
/// <c>if&lt;index&gt;</c>. Lines of the earlier form, on the VF's PCI event, are still recognised so they
/// are replaced or removed; only this form is written.
/// </summary>
internal static partial class UdevVfMacRules
{
    /// <summary>Where <c>ip</c> is found on a host, first match used.</summary>
    internal static readonly string[] IpPrograms = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    /// <summary>What one VF's line does.</summary>
    internal readonly record struct Entry(string Ip, string PfAddress, int Index, string Mac);

    /// <summary>A VF whose line is written or removed: its PF and index, and its own PCI address for lines of the earlier form.</summary>
    internal readonly record struct Vf(string PfAddress, int Index, string PciAddress);

    /// <summary>The line that sets the MAC of the VF <paramref name="entry"/> names when its PF's count line has made it.</summary>
    public static string Line(Entry entry) => string.Create(
        CultureInfo.InvariantCulture,
        $"ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"{entry.PfAddress}\", TEST==\"device/virtfn{entry.Index}\", " +
        $"RUN+=\"{entry.Ip} link set dev if$attr{{ifindex}} vf {entry.Index} mac {entry.Mac}\"");

    /// <summary>Every VF MAC line of the present form in <paramref name="text"/>: (PF address, VF index) → what it does.</summary>
    public static Dictionary<(string PfAddress, int Index), Entry> Find(string? text)
    {
        var found = new Dictionary<(string, int), Entry>();
        foreach (var line in UdevVfRules.Lines(text))
        {
            if (TryParse(line, out var entry))
            {
                found[(entry.PfAddress, entry.Index)] = entry;
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="line"/> is a MAC line of the present form for a VF of the PF at <paramref name="pfAddress"/>.</summary>
    internal static bool IsLineOf(string line, string pfAddress) => TryParse(line, out var entry) && entry.PfAddress == pfAddress;

    /// <summary>
    /// The file's text with the MAC lines of <paramref name="macs"/>: a VF with an entry gets its line, a VF
    /// with <c>null</c> loses it (in either form). A line is changed in place when it comes after its PF's
    /// count line; otherwise it goes right after the PF's last line (count or MAC line), or at the end,
    /// so the count line, which makes the VFs, always comes first. Other lines are kept in their order.
    /// </summary>
    public static string? With(string? text, IReadOnlyDictionary<Vf, Entry?> macs)
    {
        var byPf = macs.ToDictionary(pair => (pair.Key.PfAddress, pair.Key.Index), pair => pair.Value);
        var byVfAddress = macs.ToDictionary(pair => pair.Key.PciAddress, pair => (pair.Key.PfAddress, pair.Key.Index), StringComparer.Ordinal);
        var lines = new List<string>(UdevVfRules.Lines(text));
        var placed = new HashSet<(string, int)>();
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            (string PfAddress, int Index) vf;
            if (TryParse(lines[i], out var present))
            {
                vf = (present.PfAddress, present.Index);
            }
            else if (!TryParseEarlier(lines[i], out string? vfAddress) || !byVfAddress.TryGetValue(vfAddress!, out vf))
            {
                continue;
            }

            if (!byPf.TryGetValue(vf, out var entry))
            {
                continue;
            }

            if (entry is null || placed.Contains(vf) || i < UdevVfRules.IndexOfLine(lines, vf.PfAddress))
            {
                lines.RemoveAt(i);
            }
            else
            {
                lines[i] = Line(entry.Value);
                placed.Add(vf);
            }
        }

        foreach (var entry in byPf.Values.OfType<Entry>().OrderBy(e => e.PfAddress, StringComparer.Ordinal).ThenBy(e => e.Index))
        {
            if (placed.Contains((entry.PfAddress, entry.Index)))
            {
                continue;
            }

            int last = lines.FindLastIndex(line => IsLineOf(line, entry.PfAddress));
            last = Math.Max(last, UdevVfRules.IndexOfLine(lines, entry.PfAddress));
            if (last >= 0)
            {
                lines.Insert(last + 1, Line(entry));
            }
            else
            {
                UdevVfRules.AddHeaderWhenNew(lines, text);
                text ??= string.Empty;
                lines.Add(Line(entry));
            }
        }

        return UdevVfRules.OnlyHeader(lines) ? null : UdevVfRules.Join(lines);
    }

    private static bool TryParse(string line, out Entry entry)
    {
        var match = OwnLine().Match(line);
        entry = match.Success
            ? new Entry(match.Groups["ip"].Value, match.Groups["pf"].Value, int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture), match.Groups["mac"].Value)
            : default;
        return match.Success;
    }

    private static bool TryParseEarlier(string line, out string? vfAddress)
    {
        var match = EarlierLine().Match(line);
        vfAddress = match.Success ? match.Groups["vf"].Value : null;
        return match.Success;
    }

    [GeneratedRegex(
        """^ACTION=="add", SUBSYSTEM=="net", KERNELS=="(?<pf>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])", TEST=="device/virtfn(?<index>[0-9]{1,5})", RUN\+="(?<ip>/[A-Za-z0-9/._-]+) link set dev if\$attr\{ifindex\} vf \k<index> mac (?<mac>[0-9a-f]{2}(:[0-9a-f]{2}){5})"$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();

    /// <summary>The form written before: on the VF's PCI event, naming the PF's interface.</summary>
    [GeneratedRegex(
        """^ACTION=="add", SUBSYSTEM=="pci", KERNEL=="(?<vf>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])", RUN\+="/[A-Za-z0-9/._-]+ link set dev [^\s"/]{1,15} vf [0-9]{1,5} mac [0-9a-f]{2}(:[0-9a-f]{2}){5}"$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex EarlierLine();
}
