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
/// value of NetworkManager's [vpn-secrets]. It reads keys the way netplan (YAML, flow mappings too),
/// NetworkManager keyfiles and systemd-networkd (key=value) and ifupdown (key value) write them, in
/// comments too, so a secret is kept only if no format would call its key one.
/// </summary>
internal static partial class SecretRedaction
{
    /// <summary>What a secret's value becomes: valid in YAML, keyfiles and ifupdown alike.</summary>
    public const string Marker = "SRIOVPS-REDACTED";

    private static readonly string[] SecretEndings = ["password", "passwd", "passphrase", "psk", "secret", "secrets", "privatekey", "presharedkey"];
    private static readonly string[] SecretStarts = ["wepkey", "wirelesskey"];

    /// <summary>The text with its secrets replaced, and where each was.</summary>
    public static string Redact(string path, string text, List<SriovRedaction> redactions)
    {
        var result = new StringBuilder(text.Length);
        string section = "";
        int blockIndent = -1;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int indent = line.Length - line.TrimStart().Length;
            if (blockIndent >= 0 && (line.Trim().Length == 0 || indent > blockIndent))
            {
                // The lines of a YAML block scalar (password: |) under a secret key.
                result.Append(line.Trim().Length == 0 ? line : line[..indent] + Marker);
                AppendNewline(result, i, lines.Length);
                continue;
            }

            blockIndent = -1;
            string trimmed = line.Trim();
            if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
            {
                section = trimmed[1..^1].Trim();
            }

            bool everyValue = section.Equals("vpn-secrets", StringComparison.OrdinalIgnoreCase);
            bool IsSecret(string key, string separator) => (everyValue && separator.Contains('=')) || IsSecretKey(key, separator);
            string redacted;
            if (LineSetting().Match(line) is { Success: true } whole && IsSecret(whole.Groups["key"].Value, whole.Groups["separator"].Value)
                && !whole.Groups["value"].Value.StartsWith('{') && !whole.Groups["value"].Value.StartsWith('['))
            {
                // A setting of its own line: its value is the rest of the line (a keyfile's psk may hold '#' or ','),
                // less a YAML comment.
                redacted = RedactLine(whole, path, i + 1, redactions, ref blockIndent, indent);
            }
            else
            {
                redacted = Setting().Replace(line, match =>
                {
                    string key = match.Groups["key"].Value;
                    string value = match.Groups["value"].Value;
                    if (!IsSecret(key, match.Groups["separator"].Value) || value.Length == 0 || value is "\"\"" or "''")
                    {
                        return match.Value;
                    }

                    redactions.Add(new SriovRedaction(path, i + 1, key));
                    string quote = match.Groups["quote"].Value;
                    return match.Groups["lead"].Value + quote + key + quote + match.Groups["separator"].Value + (value.StartsWith('"') ? "\"" + Marker + "\"" : Marker);
                });
            }

            result.Append(redacted);
            AppendNewline(result, i, lines.Length);
        }

        return result.ToString();
    }

    private static string RedactLine(Match setting, string path, int number, List<SriovRedaction> redactions, ref int blockIndent, int indent)
    {
        string key = setting.Groups["key"].Value;
        string separator = setting.Groups["separator"].Value;
        string raw = setting.Groups["value"].Value;
        string value = raw.TrimEnd();
        string head = setting.Groups["lead"].Value + setting.Groups["quote"].Value + key + setting.Groups["quote"].Value + separator;
        bool yaml = separator.Contains(':');
        if (yaml && (value.Length == 0 || value is "|" or ">" or "|-" or ">-" or "|+" or ">+"))
        {
            // The value is on the lines below, more indented: a block scalar, or a plain scalar on the next line.
            blockIndent = indent;
            redactions.Add(new SriovRedaction(path, number, key));
            return setting.Value;
        }

        if (value.Length == 0 || value is "\"\"" or "''")
        {
            return setting.Value;
        }

        string after = "";
        if (value[0] is '"' or '\'')
        {
            int close = value.IndexOf(value[0], 1);
            after = close > 0 ? value[(close + 1)..] : "";
        }
        else if (yaml && value.IndexOf(" #", StringComparison.Ordinal) is int comment and > 0)
        {
            after = value[comment..];
        }

        redactions.Add(new SriovRedaction(path, number, key));
        return head + (value[0] is '"' or '\'' ? value[0] + Marker + value[0] : Marker) + after + raw[value.Length..];
    }

    /// <summary>Whether a key names a secret in some network configuration format; "key" and "keys" only as YAML keys (netplan's WireGuard).</summary>
    internal static bool IsSecretKey(string key, string separator)
    {
        var name = new StringBuilder(key.Length);
        foreach (char c in key)
        {
            if (c is not ('-' or '_' or '.'))
            {
                name.Append(char.ToLowerInvariant(c));
            }
        }

        string normalized = name.ToString();
        if (normalized is "key" or "private" or "shared")
        {
            return separator.TrimStart().StartsWith(':');
        }

        return normalized == "pin"
            || SecretEndings.Any(e => normalized.EndsWith(e, StringComparison.Ordinal))
            || SecretStarts.Any(s => normalized.StartsWith(s, StringComparison.Ordinal));
    }

    private static void AppendNewline(StringBuilder result, int index, int count)
    {
        if (index < count - 1)
        {
            result.Append('\n');
        }
    }

    // A key, its separator (": ", "=", or ifupdown's blanks), and its value: quoted, or words up to a comma, brace or
    // comment. A value never starts with a brace or bracket, so the keys of a flow mapping are judged one by one.
    [GeneratedRegex("""(?<lead>^|[\s{,#])(?<quote>["']?)(?<key>[A-Za-z][A-Za-z0-9_.-]*)\k<quote>(?<separator>\s*[:=]\s*|[ \t]+)(?<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,{}\[\]#][^\s,}\]#]*(?:[ \t]+[^\s,}\]#]+)*|)""")]
    private static partial Regex Setting();

    // A setting that starts its line (after indentation or a YAML "- "), with the rest of the line as its value.
    [GeneratedRegex("""^(?<lead>[ \t]*(?:-[ \t]+)?)(?<quote>["']?)(?<key>[A-Za-z][A-Za-z0-9_.-]*)\k<quote>(?<separator>[ \t]*[:=][ \t]*|[ \t]+)(?<value>.*)$""")]
    private static partial Regex LineSetting();
}
