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
            string redacted = Setting().Replace(line, match =>
            {
                string key = match.Groups["key"].Value;
                string value = match.Groups["value"].Value;
                if (!(everyValue && match.Groups["separator"].Value.Contains('=')) && !IsSecretKey(key, match.Groups["separator"].Value))
                {
                    return match.Value;
                }

                if (value is "|" or ">" or "|-" or ">-" or "|+" or ">+" || (value.Length == 0 && match.Groups["separator"].Value.Contains(':')))
                {
                    // The value is on the lines below, more indented (a YAML block or multi-line scalar).
                    blockIndent = indent;
                    if (value.Length == 0)
                    {
                        return match.Value;
                    }
                }
                else if (value.Length == 0 || value is "\"\"" or "''")
                {
                    return match.Value;
                }

                redactions.Add(new SriovRedaction(path, i + 1, key));
                string quote = match.Groups["quote"].Value;
                return match.Groups["lead"].Value + quote + key + quote + match.Groups["separator"].Value + (value.StartsWith('"') ? "\"" + Marker + "\"" : Marker);
            });
            result.Append(redacted);
            AppendNewline(result, i, lines.Length);
        }

        return result.ToString();
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
}
