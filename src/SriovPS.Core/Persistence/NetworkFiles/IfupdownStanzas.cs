namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// ifupdown's lines for an interface: <c>iface NAME FAMILY METHOD</c> stanzas with their options, and
/// <c>auto</c>/<c>allow-*</c> lines naming it. ifupdown takes one stanza per interface and family, so
/// the module's own stanza beside another one is an error at ifup, not a merge.
/// </summary>
internal static class IfupdownStanzas
{
    public const string IncludedDirectory = "/etc/network/interfaces.d";

    /// <summary>What <paramref name="text"/> says about the interface, or <c>null</c> when it does not name it.</summary>
    public static OtherPfConfiguration? Read(string hostPath, string text, string interfaceName)
    {
        var parts = new List<string>();
        bool inStanza = false, hasStanza = false;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "iface" or "mapping":
                    inStanza = words.Length > 1 && words[1] == interfaceName;
                    if (inStanza)
                    {
                        hasStanza = true;
                        parts.Add(line);
                    }

                    break;
                case "auto" or "source" or "source-directory" or "source-dir":
                case var allow when allow.StartsWith("allow-", StringComparison.Ordinal):
                    inStanza = false;
                    if (Array.IndexOf(words, interfaceName, 1) > 0)
                    {
                        parts.Add($"{words[0]} {interfaceName}");
                    }

                    break;
                default:
                    if (inStanza && words[0] is "address" or "netmask" or "gateway" or "mtu")
                    {
                        parts.Add(line);
                    }

                    break;
            }
        }

        return parts.Count == 0 ? null : new OtherPfConfiguration(HostNetworkManager.Ifupdown, hostPath, string.Join(", ", parts))
        {
            HasStanza = hasStanza,
        };
    }
}
