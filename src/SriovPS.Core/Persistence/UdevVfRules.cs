using System.Text;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Persistence;

/// <summary>
/// The module's own udev rules file, which recreates VFs at boot: one line per PF, matched by the PF's
/// PCI address on the net subsystem so it fires once the PF's driver has bound and its interface
/// appears, when <c>sriov_numvfs</c> can be written:
/// <code>ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", ATTR{device/sriov_numvfs}="7"</code>
/// udev applies a rule's assignments in order, so a <c>sriov_drivers_autoprobe</c> assignment comes
/// first. Only lines of exactly this form are the module's; any other line is kept as it is.
/// </summary>
internal static partial class UdevVfRules
{
    public const string HostPath = "/etc/udev/rules.d/70-sriovps.rules";

    private const string Header =
        "# Written by SriovPS: Enable-SriovVf -Persist adds or updates a PF's line (its VF count, and\n" +
        "# sriov_drivers_autoprobe when given), Disable-SriovVf -Persist removes it. Other lines are kept.\n" +
        "# Set-SriovVfDriver -Persist adds a line per VF of a PF (its driver) and sets that PF's autoprobe to 0.\n" +
        "# Set-SriovVf -Persist adds a line per VF that sets its MAC through its PF; -ClearMacAddress -Persist removes it.\n";

    private static readonly string[] UdevPrograms =
        ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm", "/usr/sbin/udevadm", "/lib/systemd/systemd-udevd", "/usr/lib/systemd/systemd-udevd"];

    /// <summary>Whether the host has udev, which reads the rules file at boot.</summary>
    public static bool IsUdevInstalled(HostFileSystem files) => Array.Exists(UdevPrograms, files.Exists);

    /// <summary>What the file asks for one PF.</summary>
    internal readonly record struct Entry(int NumVfs, bool? DriversAutoprobe);

    /// <summary>The module's line for a PF.</summary>
    public static string Line(string pciAddress, Entry entry)
    {
        var line = new StringBuilder(128)
            .Append("ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"").Append(pciAddress).Append('"');
        if (entry.DriversAutoprobe is bool autoprobe)
        {
            line.Append(", ATTR{device/sriov_drivers_autoprobe}=\"").Append(autoprobe ? '1' : '0').Append('"');
        }

        return line.Append(", ATTR{device/sriov_numvfs}=\"")
            .Append(entry.NumVfs.ToString(CultureInfo.InvariantCulture)).Append('"').ToString();
    }

    /// <summary>What <paramref name="text"/> asks for the PF at <paramref name="pciAddress"/>, or <c>null</c>.</summary>
    public static Entry? Find(string? text, string pciAddress)
    {
        foreach (var line in Lines(text))
        {
            if (TryParse(line, out string? address, out var entry) && address == pciAddress)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>
    /// The file's text with the PF's line asking for <paramref name="numVfs"/> VFs: the line is changed
    /// in place, or added before the PF's first MAC line, or at the end (after the header, for a new
    /// file). A <c>null</c> <paramref name="driversAutoprobe"/> keeps what the line said about autoprobe.
    /// </summary>
    public static string WithCount(string? text, string pciAddress, int numVfs, bool? driversAutoprobe) =>
        WithEntry(text, pciAddress, new Entry(numVfs, driversAutoprobe ?? Find(text, pciAddress)?.DriversAutoprobe));

    /// <summary>
    /// The file's text with the PF's line saying exactly <paramref name="entry"/>: in place, or added before
    /// the PF's first MAC line, or at the end.
    /// </summary>
    public static string WithEntry(string? text, string pciAddress, Entry entry)
    {
        var lines = new List<string>(Lines(text));
        string wanted = Line(pciAddress, entry);
        int at = -1;
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            if (TryParse(lines[i], out string? address, out _) && address == pciAddress)
            {
                // A duplicate for the same PF is the module's too: one line per PF remains.
                if (at >= 0)
                {
                    lines.RemoveAt(at);
                }

                at = i;
            }
        }

        if (at >= 0)
        {
            lines[at] = wanted;
        }
        else if (lines.FindIndex(line => UdevVfMacRules.IsLineOf(line, pciAddress)) is var firstMac and >= 0)
        {
            // The PF's MAC lines test for VFs this line makes, and udev reads a file's lines in order.
            lines.Insert(firstMac, wanted);
        }
        else
        {
            AddHeaderWhenNew(lines, text);
            lines.Add(wanted);
        }

        return Join(lines);
    }

    /// <summary>
    /// The file's text without the PF's line; <c>null</c> when nothing but the module's header (and
    /// blank lines) would remain, so the file can go.
    /// </summary>
    public static string? Without(string? text, string pciAddress)
    {
        var lines = new List<string>(Lines(text));
        lines.RemoveAll(line => TryParse(line, out string? address, out _) && address == pciAddress);
        return OnlyHeader(lines) ? null : Join(lines);
    }

    /// <summary>Where the PF's line is in <paramref name="lines"/>; -1 when it has none.</summary>
    internal static int IndexOfLine(List<string> lines, string pciAddress) =>
        lines.FindIndex(line => TryParse(line, out string? address, out _) && address == pciAddress);

    /// <summary>Starts a new file's lines with the header.</summary>
    internal static void AddHeaderWhenNew(List<string> lines, string? text)
    {
        if (text is null)
        {
            lines.AddRange(Header.TrimEnd('\n').Split('\n'));
        }
    }

    /// <summary>Whether only the module's header and blank lines are left.</summary>
    internal static bool OnlyHeader(List<string> lines) =>
        lines.TrueForAll(line => line.Length == 0 || Header.Contains(line + "\n", StringComparison.Ordinal));

    private static bool TryParse(string line, out string? pciAddress, out Entry entry)
    {
        var match = OwnLine().Match(line);
        if (!match.Success)
        {
            (pciAddress, entry) = (null, default);
            return false;
        }

        pciAddress = match.Groups["pci"].Value;
        bool? autoprobe = match.Groups["autoprobe"].Success ? match.Groups["autoprobe"].Value == "1" : null;
        entry = new Entry(int.Parse(match.Groups["numvfs"].ValueSpan, CultureInfo.InvariantCulture), autoprobe);
        return true;
    }

    internal static string[] Lines(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        // The last line's newline ends it; it does not start an empty line.
        return (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
    }

    internal static string Join(List<string> lines) => lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n";

    [GeneratedRegex(
        """^ACTION=="add", SUBSYSTEM=="net", KERNELS=="(?<pci>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])"(, ATTR\{device/sriov_drivers_autoprobe\}="(?<autoprobe>[01])")?, ATTR\{device/sriov_numvfs\}="(?<numvfs>[0-9]{1,5})"$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();
}
