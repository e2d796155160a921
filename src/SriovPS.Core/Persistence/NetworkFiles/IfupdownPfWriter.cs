using System.Text;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// <c>/etc/network/interfaces.d/sriovps-IFNAME</c>: an <c>inet manual</c> stanza, which configures no
/// address and brings the link up (with <c>mtu</c> set first) when ifup runs for it; the <c>auto</c>
/// line, present only for a PF that comes up, is what makes <c>ifup -a</c> at boot run for it.
/// ifupdown only reads this file when <c>/etc/network/interfaces</c> sources it
/// (<see cref="IsSourced(string?, string)"/>). The previous version is kept as a hidden file, which
/// neither <c>source DIR/*</c> (a shell glob) nor <c>source-directory</c> (run-parts names) picks up.
/// </summary>
internal sealed partial class IfupdownPfWriter : PfNetworkWriter
{
    /// <summary>The file that must source <see cref="Directory"/>.</summary>
    public const string InterfacesHostPath = "/etc/network/interfaces";

    private const string InterfacesDirectory = "/etc/network";

    public override HostNetworkManager Manager => HostNetworkManager.Ifupdown;

    public override string Directory => "/etc/network/interfaces.d";

    public override uint NewFileMode => 0b110_100_100;

    protected override Regex MtuLine => MtuPattern();

    public override string BackupHostPathFor(string interfaceName) =>
        $"{Directory}/.{FileName(CheckedName(interfaceName))}{ConfigFile.BackupSuffix}";

    /// <summary>Whether the host's <c>/etc/network/interfaces</c> includes the PF's file; false when it is missing.</summary>
    /// <exception cref="SriovPS.Errors.SriovException">It exists but cannot be read.</exception>
    public bool IsSourced(HostFileSystem files, string interfaceName) =>
        IsSourced(new ConfigFile(files, InterfacesHostPath).ReadText(), interfaceName);

    /// <summary>
    /// Whether <paramref name="interfacesText"/> includes the PF's file: a <c>source</c> line whose
    /// pattern matches its path (<c>source /etc/network/interfaces.d/*</c>, but not <c>…/*.cfg</c>), or a
    /// <c>source-directory</c> (<c>source-dir</c>) line naming the directory, which ifupdown reads with
    /// run-parts' rule: only names of letters, digits, '_' and '-'. Relative paths are taken from
    /// <c>/etc/network</c>. Lines sourced from other files are not followed.
    /// </summary>
    public bool IsSourced(string? interfacesText, string interfaceName)
    {
        string path = HostPathFor(interfaceName);
        foreach (var line in LogicalLines(interfacesText))
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2)
            {
                continue;
            }

            for (int i = 1; i < words.Length; i++)
            {
                string target = Absolute(words[i]);
                bool sources = words[0] switch
                {
                    "source" => GlobMatches(target, path),
                    "source-directory" or "source-dir" =>
                        GlobMatches(target.TrimEnd('/'), Directory) && RunPartsName().IsMatch(FileName(interfaceName)),
                    _ => false,
                };
                if (sources)
                {
                    return true;
                }
            }
        }

        return false;
    }

    protected override string FileName(string interfaceName) => "sriovps-" + interfaceName;

    /// <summary>
    /// ifupdown takes one stanza per interface and family, and refuses a second: beside another
    /// <c>iface</c> stanza the file holds only the <c>auto</c> line, and the stanza there keeps its addresses.
    /// </summary>
    public override bool Keeps(PfNetworkConflicts? others) => others?.Of(Manager).Any(c => c.HasStanza) == true;

    public override string? CannotKeep(HostFileSystem files, PfNetworkSettings settings, PfNetworkConflicts others)
    {
        if (!Keeps(others) || (settings.Up && settings.Mtu is null))
        {
            return null;
        }

        string where = others.Of(Manager).First(c => c.HasStanza).HostPath!;
        return settings.Up
            ? $"ifupdown reads one stanza per interface, and the MTU belongs in the one in {where} ('mtu {Number(settings.Mtu!.Value)}')."
            : $"ifupdown reads one stanza per interface, and the one in {where} brings it up; remove its 'auto' or 'allow-hotplug' line to keep it down.";
    }

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept)
    {
        string name = settings.InterfaceName;
        if (kept is not null)
        {
            text.Append("auto ").Append(name).Append('\n');
            return;
        }

        if (settings.Up)
        {
            text.Append("auto ").Append(name).Append('\n');
        }

        text.Append("iface ").Append(name).Append(" inet manual\n");
        if (settings.Mtu is int mtu)
        {
            text.Append("    mtu ").Append(Number(mtu)).Append('\n');
        }
    }

    private static string Absolute(string path) => path.StartsWith('/') ? path : $"{InterfacesDirectory}/{path}";

    /// <summary>The file's lines without comments and blanks, a trailing backslash joining a line to the next.</summary>
    private static IEnumerable<string> LogicalLines(string? text)
    {
        var pending = new StringBuilder();
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.EndsWith('\\'))
            {
                pending.Append(line, 0, line.Length - 1).Append(' ');
                continue;
            }

            string whole = pending.Append(line).ToString().Trim();
            pending.Clear();
            if (whole.Length > 0 && whole[0] != '#')
            {
                yield return whole;
            }
        }
    }

    /// <summary>
    /// A shell glob (<c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>[!x]</c>) against a path, component by component,
    /// case-sensitive, as the shell expands <c>source</c> patterns: no wildcard matches a '/'.
    /// </summary>
    private static bool GlobMatches(string pattern, string path)
    {
        var patternParts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathParts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (patternParts.Length != pathParts.Length)
        {
            return false;
        }

        for (int i = 0; i < pathParts.Length; i++)
        {
            if (!ShellGlob.Matches(patternParts[i], pathParts[i]))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("^    mtu (?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RunPartsName();
}
