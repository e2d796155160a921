using System.Text.RegularExpressions;

namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// The netplan definitions of an interface in one YAML file: an <c>ethernets</c> entry whose id is the
/// interface's name (without <c>match:</c>), or whose <c>match:</c> <c>name</c> (a shell glob) or
/// <c>macaddress</c> fits it, or whose <c>set-name</c> names it. Block-style YAML is read, which is what
/// cloud-init, the installers and the documentation write; a file that names the interface in any
/// other way (flow style, a bridge's <c>interfaces:</c>) is reported as naming it, not silently passed.
/// <c>match:</c> is read for <c>name</c> and <c>macaddress</c>; any other condition (<c>driver</c>, …) is
/// taken to fit, as <see cref="NetworkdMatches"/> does, so a definition is never missed for a condition
/// not evaluated here.
/// </summary>
internal static partial class NetplanDefinitions
{
    /// <summary>
    /// Where netplan reads YAML, the first hiding a file of the same name in the others (netplan-generate(8):
    /// /run/netplan shadows /etc/netplan, which shadows /lib/netplan).
    /// </summary>
    public static readonly string[] Directories = ["/run/netplan", "/etc/netplan", "/lib/netplan", "/usr/lib/netplan"];

    /// <summary>What <paramref name="text"/> (the file <paramref name="hostPath"/>) defines for the interface.</summary>
    public static List<OtherPfConfiguration> Read(string hostPath, string text, string interfaceName, string? macAddress)
    {
        var found = new List<OtherPfConfiguration>();
        var ethernets = Parse(text).Child("network")?.Child("ethernets");
        foreach (var definition in ethernets?.Children ?? [])
        {
            if (Configures(definition, interfaceName, macAddress))
            {
                found.Add(new OtherPfConfiguration(HostNetworkManager.Netplan, hostPath, $"ethernets.{definition.Key}: {Summary(definition)}")
                {
                    NetplanId = definition.Key,
                });
            }
        }

        if (found.Count == 0 && MentionsName(text, interfaceName))
        {
            found.Add(new OtherPfConfiguration(HostNetworkManager.Netplan, hostPath, $"names {interfaceName} outside a block-style ethernets definition")
            {
                NetplanId = interfaceName,
            });
        }

        return found;
    }

    private static bool Configures(YamlNode definition, string interfaceName, string? macAddress)
    {
        if (definition.Child("set-name")?.Scalar == interfaceName)
        {
            return true;
        }

        if (definition.Child("match") is not { } match)
        {
            return definition.Key == interfaceName;
        }

        // Every condition given must fit, as netplan requires; one not evaluated here (driver, or a match
        // written in flow style) is taken to fit, so a definition is over-counted rather than missed.
        if (match.Child("name")?.Scalar is string pattern && !ShellGlob.Matches(pattern, interfaceName))
        {
            return false;
        }

        if (match.Child("macaddress")?.Scalar is string mac
            && (macAddress is null || !string.Equals(mac, macAddress, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        return true;
    }

    private static string Summary(YamlNode definition)
    {
        var parts = definition.Children
            .Where(c => c.Key is not ("match" or "set-name"))
            .Select(c => c.Scalar is not null ? $"{c.Key}: {c.Scalar}"
                : c.Items.Count > 0 ? $"{c.Key}: [{string.Join(", ", c.Items)}]"
                : c.Children.Count > 0 ? $"{c.Key}: {{{string.Join(", ", c.Children.Select(g => g.Key))}}}"
                : $"{c.Key}: []")
            .ToList();
        return parts.Count == 0 ? "no settings" : string.Join(", ", parts);
    }

    private static bool MentionsName(string text, string interfaceName) =>
        Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.-]){Regex.Escape(interfaceName)}(?![A-Za-z0-9_.-])", RegexOptions.CultureInvariant);

    /// <summary>A block-style YAML mapping: keys with a scalar, a list of scalars, or child mappings.</summary>
    internal sealed class YamlNode(string key)
    {
        public string Key { get; } = key;

        public string? Scalar { get; set; }

        public List<string> Items { get; } = [];

        public List<YamlNode> Children { get; } = [];

        public YamlNode? Child(string key) => Children.Find(c => c.Key == key);
    }

    /// <summary>Reads block mappings and lists by indentation; flow lists (<c>[a, b]</c>) are split, other flow text kept as a scalar.</summary>
    internal static YamlNode Parse(string text)
    {
        var root = new YamlNode(string.Empty);
        var open = new List<(int Indent, YamlNode Node)> { (-1, root) };
        foreach (var raw in text.Split('\n'))
        {
            string line = StripComment(raw.TrimEnd('\r'));
            string content = line.TrimStart(' ');
            if (content.Length == 0 || content is "---" or "...")
            {
                continue;
            }

            int indent = line.Length - content.Length;
            if (content.StartsWith('-'))
            {
                // A list item belongs to the nearest key at or left of it (YAML lets items sit at the key's own indent).
                while (open.Count > 1 && open[^1].Indent > indent)
                {
                    open.RemoveAt(open.Count - 1);
                }

                open[^1].Node.Items.Add(Unquote(content[1..].Trim()));
                continue;
            }

            while (open.Count > 1 && open[^1].Indent >= indent)
            {
                open.RemoveAt(open.Count - 1);
            }

            int colon = KeyEnd(content);
            if (colon < 0)
            {
                continue;
            }

            var node = new YamlNode(Unquote(content[..colon].Trim()));
            string value = content[(colon + 1)..].Trim();
            if (value.StartsWith('[') && value.EndsWith(']'))
            {
                node.Items.AddRange(value[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote));
            }
            else if (value.Length > 0 && value != "{}")
            {
                node.Scalar = Unquote(value);
            }

            open[^1].Node.Children.Add(node);
            open.Add((indent, node));
        }

        return root;
    }

    /// <summary>The colon that ends a key: followed by a space or the line's end, outside quotes.</summary>
    private static int KeyEnd(string content) =>
        IndexOutsideQuotes(content, i => content[i] == ':' && (i + 1 == content.Length || content[i + 1] == ' '));

    private static string StripComment(string line)
    {
        int hash = IndexOutsideQuotes(line, i => line[i] == '#' && (i == 0 || line[i - 1] is ' ' or '\t'));
        return (hash < 0 ? line : line[..hash]).TrimEnd();
    }

    /// <summary>The first position in <paramref name="text"/>, outside single or double quotes, where <paramref name="isAt"/> holds; -1 when none.</summary>
    private static int IndexOutsideQuotes(string text, Func<int, bool> isAt)
    {
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (isAt(i))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
