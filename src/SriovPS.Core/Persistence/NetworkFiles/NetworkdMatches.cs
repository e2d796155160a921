namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// The <c>.network</c> files whose [Match] fits an interface. systemd-networkd reads every
/// <c>*.network</c> in <see cref="Directories"/>, a name in an earlier directory hiding the same name
/// in a later one, and applies to a link only the first file, in lexical order of names, that
/// matches it: a second file for the same interface is ignored, or hides the first.
/// [Match] conditions are read for <c>Name=</c> (shell globs), <c>MACAddress=</c>/<c>PermanentMACAddress=</c>,
/// <c>Type=</c> (against the interface's type, when known), and the conditions no PF can meet:
/// <c>Kind=</c> (a PF is a physical device, with no kind, while the files systemd ships match veth,
/// bridge, tap or tunnel links by it) and the wireless ones (<c>WLANInterfaceType=</c>, <c>SSID=</c>,
/// <c>BSSID=</c>), each list tested as systemd does, '!' inverting one assignment. Any other condition
/// (Driver=, Path=, …) is taken to fit, so a file is never missed for a condition not evaluated here.
/// </summary>
internal static class NetworkdMatches
{
    public static readonly string[] Directories =
        ["/etc/systemd/network", "/run/systemd/network", "/usr/local/lib/systemd/network", "/usr/lib/systemd/network", "/lib/systemd/network"];

    // Conditions only links that are not PFs meet: virtual links' kinds and wireless links' properties.
    private static readonly string[] NeverAPf = ["Kind", "WLANInterfaceType", "SSID", "BSSID"];

    /// <summary>What <paramref name="text"/> sets for the interface, or <c>null</c> when its [Match] does not fit it.</summary>
    /// <param name="linkType">The interface's type as systemd-networkd names it (<c>ether</c>), or <c>null</c> when unknown.</param>
    public static OtherPfConfiguration? Read(string hostPath, string text, string interfaceName, string? macAddress, string? linkType = null)
    {
        var ini = IniSections.Parse(text);

        // A PF has no kind and is not wireless: only inverted lists of these fit it.
        if (NeverAPf.Any(key => !Fits(Rules(ini.Values("Match", key)), _ => false)))
        {
            return null;
        }

        if (linkType is not null && !Fits(Rules(ini.Values("Match", "Type")), t => ShellGlob.Matches(t, linkType)))
        {
            return null;
        }

        var names = Rules(ini.Values("Match", "Name"));
        if (!Fits(names, p => ShellGlob.Matches(p, interfaceName)))
        {
            return null;
        }

        bool specific = names is [{ Inverted: false } name] && !ShellGlob.HasWildcards(name.Pattern);
        foreach (var key in (string[])["MACAddress", "PermanentMACAddress"])
        {
            var macs = Rules(ini.Values("Match", key));
            if (!Fits(macs, m => macAddress is not null && string.Equals(m, macAddress, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            specific |= macs is [{ Inverted: false }];
        }

        string fileName = hostPath[(hostPath.LastIndexOf('/') + 1)..];
        return new OtherPfConfiguration(HostNetworkManager.SystemdNetworkd, hostPath, Summary(ini))
        {
            NetworkdFileName = fileName,
            MatchesThisInterfaceOnly = specific,
        };
    }

    /// <summary>
    /// A [Match] list as systemd keeps it: the words of each assignment, all inverted when the assignment
    /// starts with '!'; an empty assignment clears what came before.
    /// </summary>
    private static List<(string Pattern, bool Inverted)> Rules(List<string> values)
    {
        var rules = new List<(string, bool)>();
        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                rules.Clear();
                continue;
            }

            bool inverted = value[0] == '!';
            rules.AddRange(value.TrimStart('!').Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(w => (w, inverted)));
        }

        return rules;
    }

    /// <summary>
    /// systemd's test of a list: an inverted pattern that matches rejects the link; when the list has
    /// plain patterns, one of them must match. An empty list fits every link.
    /// </summary>
    private static bool Fits(List<(string Pattern, bool Inverted)> rules, Func<string, bool> matches)
    {
        bool anyPlain = false, matched = false;
        foreach (var (pattern, inverted) in rules)
        {
            anyPlain |= !inverted;
            if (matches(pattern))
            {
                if (inverted)
                {
                    return false;
                }

                matched = true;
            }
        }

        return !anyPlain || matched;
    }

    private static string Summary(IniSections ini)
    {
        var parts = new List<string>();
        foreach (var (section, key) in (ReadOnlySpan<(string, string)>)[("Network", "DHCP"), ("Network", "Address"), ("Network", "Gateway"), ("Address", "Address"), ("Link", "Unmanaged")])
        {
            parts.AddRange(ini.Values(section, key).Where(v => v.Length > 0).Select(v => $"{key}={v}"));
        }

        return parts.Count == 0 ? "matches it, no address" : "matches it: " + string.Join(", ", parts);
    }
}
