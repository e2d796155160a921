using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Snapshot;

/// <summary>One secret a snapshot left on its host: where it was, and under which key; never its value.</summary>
public sealed record SriovRedaction(string Path, int Line, string Key)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path} line {Line}: {Key}");
}

/// <summary>
/// Replaces the secrets of network configuration files by <see cref="Marker"/>: Wi-Fi passwords and
/// pre-shared keys, 802.1X and PPP passwords, PINs, WireGuard private and pre-shared keys, and every
/// value of NetworkManager's [vpn-secrets]. netplan's YAML is read as YAML (block and flow mappings,
/// block scalars); NetworkManager keyfiles, systemd-networkd files and ifupdown's interfaces as lines
/// of <c>key=value</c> or <c>key value</c>, whose value is the whole rest of the line.
/// </summary>
internal static partial class SecretRedaction
{
    /// <summary>What a secret's value becomes: valid in YAML, keyfiles and ifupdown alike.</summary>
    public const string Marker = "SRIOVPS-REDACTED";

    private static readonly string[] SecretEndings = ["password", "passwd", "passphrase", "psk", "secret", "secrets", "privatekey", "presharedkey"];

    /// <summary>The text with its secrets replaced, and where each was.</summary>
    public static string Redact(string path, string text, List<SriovRedaction> redactions)
    {
        bool yaml = IsYaml(path, text);
        var result = new StringBuilder(text.Length);
        string section = "";
        int blockIndent = -1;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string ending = line.EndsWith('\r') ? "\r" : "";
            string content = line[..^ending.Length];
            int indent = content.Length - content.TrimStart().Length;
            if (i > 0)
            {
                result.Append('\n');
            }

            if (blockIndent >= 0 && (content.Trim().Length == 0 || indent > blockIndent))
            {
                // The lines of a YAML value written below its secret key (a block scalar, or a plain scalar on the next lines).
                result.Append(content.Trim().Length == 0 ? content : content[..indent] + Marker).Append(ending);
                continue;
            }

            blockIndent = -1;
            string redacted = yaml
                ? RedactYaml(content, path, i + 1, redactions, ref blockIndent, indent)
                : RedactKeyValue(content, path, i + 1, redactions, ref section);
            result.Append(redacted).Append(ending);
        }

        return result.ToString();
    }

    /// <summary>
    /// Whether a file is YAML: netplan's .yaml files; a file of another name when its first setting is a
    /// YAML mapping key ("network:"), not a keyfile section, a key=value or an ifupdown stanza.
    /// </summary>
    internal static bool IsYaml(string path, string text)
    {
        if (path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string? first = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        return first is not null && YamlSetting().IsMatch(first) && !first.Contains('=');
    }

    /// <summary>Whether a key names a secret in some network configuration format; "key", "private" and "shared" only in YAML (netplan's WireGuard).</summary>
    internal static bool IsSecretKey(string key, bool yaml)
    {
        var name = new StringBuilder(key.Length);
        foreach (char c in key)
        {
            if (char.IsLetterOrDigit(c))
            {
                name.Append(char.ToLowerInvariant(c));
            }
        }

        string normalized = name.ToString();
        return normalized is "pin"
            || (yaml && normalized is "key" or "private" or "shared")
            || SecretEndings.Any(e => normalized.EndsWith(e, StringComparison.Ordinal))
            || WepKey().IsMatch(normalized);
    }

    // A keyfile, networkd or ifupdown line: "key=value" (the key may hold ':' and '.': form:main:password, 802-1x.password) or "key value".
    private static string RedactKeyValue(string line, string path, int number, List<SriovRedaction> redactions, ref string section)
    {
        string trimmed = line.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            section = trimmed[1..^1].Trim();
            return line;
        }

        var setting = KeyValue().Match(line);
        if (!setting.Success)
        {
            return line;
        }

        string key = setting.Groups["key"].Value.Trim();
        bool assigned = setting.Groups["separator"].Value.Contains('=');
        bool secret = (assigned && section.Equals("vpn-secrets", StringComparison.OrdinalIgnoreCase)) || IsSecretKey(key, yaml: false);
        string value = setting.Groups["value"].Value;
        if (!secret || value.Trim().Length == 0)
        {
            return line;
        }

        redactions.Add(new SriovRedaction(path, number, key));
        string quote = value.TrimStart().StartsWith('"') ? "\"" : "";
        return setting.Groups["head"].Value + quote + Marker + quote;
    }

    private static string RedactYaml(string line, string path, int number, List<SriovRedaction> redactions, ref int blockIndent, int indent)
    {
        var setting = YamlSetting().Match(line);
        if (setting.Success && IsSecretKey(setting.Groups["key"].Value, yaml: true))
        {
            string raw = setting.Groups["value"].Value;
            string value = raw.TrimEnd();
            if (value.Length == 0 || value is "|" or ">" or "|-" or ">-" or "|+" or ">+")
            {
                // The value is on the lines below, more indented.
                blockIndent = indent;
                redactions.Add(new SriovRedaction(path, number, setting.Groups["key"].Value));
                return line;
            }

            if (value[0] is not ('{' or '['))
            {
                if (value is "\"\"" or "''")
                {
                    return line;
                }

                string after = "";
                if (value[0] is '"' or '\'')
                {
                    int close = ClosingQuote(value);
                    after = close > 0 ? value[(close + 1)..] : "";
                }
                else if (value.IndexOf(" #", StringComparison.Ordinal) is int comment and > 0)
                {
                    after = value[comment..];
                }

                redactions.Add(new SriovRedaction(path, number, setting.Groups["key"].Value));
                string quote = value[0] is '"' or '\'' ? value[0].ToString() : "";
                return setting.Groups["head"].Value + quote + Marker + quote + after + raw[value.Length..];
            }
        }

        // Flow mappings ({password: x, psk: "y"}): each key judged where it stands.
        return FlowSetting().Replace(line, match =>
        {
            string key = match.Groups["key"].Value;
            string value = match.Groups["value"].Value;
            if (!IsSecretKey(key, yaml: true) || value.Length == 0 || value is "\"\"" or "''")
            {
                return match.Value;
            }

            redactions.Add(new SriovRedaction(path, number, key));
            string quote = value[0] is '"' or '\'' ? value[0].ToString() : "";
            return match.Groups["head"].Value + quote + Marker + quote;
        });
    }

    // The closing quote of a quoted YAML scalar: "…\"…" escapes with a backslash, '…''…' by doubling.
    private static int ClosingQuote(string value)
    {
        char quote = value[0];
        for (int i = 1; i < value.Length; i++)
        {
            if (quote == '"' && value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == quote)
            {
                if (quote == '\'' && i + 1 < value.Length && value[i + 1] == '\'')
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return -1;
    }

    // wep-key0..3 (NetworkManager), wireless-key and wireless-key1..4 (ifupdown); not wep-key-type or wireless-keymode.
    [GeneratedRegex("^(wepkey[0-9]|wirelesskey[0-9]?)$")]
    private static partial Regex WepKey();

    // A commented-out setting is judged too: "# psk=..." may still hold the old key.
    [GeneratedRegex("""^(?<head>[ \t]*(?:#[ \t]*)?(?<key>[^\s=#;\[][^=]*?|[^\s=#;\[]+)(?<separator>[ \t]*=[ \t]*|[ \t]+))(?<value>.*)$""")]
    private static partial Regex KeyValue();

    // A YAML setting that starts its line (after indentation or "- "): its value is the rest of the line.
    [GeneratedRegex("""^(?<head>[ \t]*(?:-[ \t]+)?(?<quote>["']?)(?<key>[A-Za-z0-9][A-Za-z0-9_.:-]*?)\k<quote>[ \t]*:(?:[ \t]+|$))(?<value>.*)$""")]
    private static partial Regex YamlSetting();

    // A key inside a flow mapping, and its value: quoted, or up to a comma or closing brace.
    [GeneratedRegex("""(?<head>[{,][ \t]*(?<quote>["']?)(?<key>[A-Za-z0-9][A-Za-z0-9_.-]*)\k<quote>[ \t]*:[ \t]*)(?<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,}{\[\]]*[^,}{\[\]\s]|)""")]
    private static partial Regex FlowSetting();
}
