using System;
using System.Collections.Generic;
using System.Linq;

namespace SriovPS.Host.Network;

/// <summary>
/// The <c>.network</c> files whose [Match] fits an interface. systemd-networkd reads every
/// <c>*.network</c> in <see cref="Directories"/>, a name in an earlier directory hiding the same name
/// in a later one, and applies to a link only the first file, in lexical order of names, that
/// matches it: a second file for the same interface is ignored, or hides the first.
/// [Match] conditions are read for <c>Name=</c> (shell globs, a leading '!' inverting the list),
/// <c>MACAddress=</c>/<c>PermanentMACAddress=</c>, <c>Type=</c> (against the interface's type, when
/// known), and the conditions no PF can meet: <c>Kind=</c> (a PF is a physical device, with no kind)
/// and the wireless ones (<c>WLANInterfaceType=</c>, <c>SSID=</c>, <c>BSSID=</c>), so the files systemd
/// ships for tunnels and Wi-Fi are not taken for the PF's. Any other condition (Driver=, Path=, …) is
/// taken to fit, so a file is never missed for a condition not evaluated here.
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
        foreach (var key in NeverAPf)
        {
            var values = Words(ini.Values("Match", key));
            if (values.Count > 0 && !values[0].StartsWith('!'))
            {
                return null;
            }
        }

        var types = Words(ini.Values("Match", "Type"));
        if (linkType is not null && types.Count > 0)
        {
            bool inverted = types[0].StartsWith('!');
            if (types.Exists(t => ShellGlob.Matches(t.TrimStart('!'), linkType)) == inverted)
            {
                return null;
            }
        }

        bool specific = false;
        var names = Words(ini.Values("Match", "Name"));
        if (names.Count > 0)
        {
            bool inverted = names[0].StartsWith('!');
            var patterns = names.Select(n => n.TrimStart('!')).ToList();
            bool listed = patterns.Exists(p => ShellGlob.Matches(p, interfaceName));
            if (listed == inverted)
            {
                return null;
            }

            specific = !inverted && patterns.Count == 1 && !ShellGlob.HasWildcards(patterns[0]);
        }

        foreach (var key in (string[])["MACAddress", "PermanentMACAddress"])
        {
            var macs = Words(ini.Values("Match", key));
            if (macs.Count == 0)
            {
                continue;
            }

            bool inverted = macs[0].StartsWith('!');
            bool listed = macAddress is not null && macs.Exists(m => string.Equals(m.TrimStart('!'), macAddress, StringComparison.OrdinalIgnoreCase));
            if (listed == inverted)
            {
                return null;
            }

            specific |= !inverted && macs.Count == 1;
        }

        string name = hostPath[(hostPath.LastIndexOf('/') + 1)..];
        return new OtherPfConfiguration(HostNetworkManager.SystemdNetworkd, hostPath, Summary(ini))
        {
            NetworkdFileName = name,
            MatchesThisInterfaceOnly = specific,
        };
    }

    /// <summary>The values of repeated list settings: an empty assignment clears what came before, as systemd does.</summary>
    private static List<string> Words(List<string> values)
    {
        var words = new List<string>();
        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                words.Clear();
            }

            words.AddRange(value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }

        return words;
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
