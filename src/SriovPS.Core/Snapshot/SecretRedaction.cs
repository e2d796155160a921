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

    // Key names by their ending, once '-', '_', '.' and ':' are left out: 802-1x.password-raw, mka-cak, PrivateKey, form:main:password.
    private static readonly string[] SecretEndings =
        ["password", "passwordraw", "passwd", "passphrase", "psk", "secret", "secrets", "privatekey", "presharedkey", "cak"];

    /// <summary>The text with its secrets replaced, and where each was.</summary>
    public static string Redact(string path, string text, List<SriovRedaction> redactions)
    {
        bool yaml = IsYaml(path, text);
        var result = new StringBuilder(text.Length);
        string section = "";
        int blockIndent = -1;
        bool continued = false;
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

            if (continued)
            {
                // The next line of a secret value continued with a backslash (systemd and ifupdown join them).
                continued = content.EndsWith('\\');
                result.Append(content[..indent]).Append(Marker).Append(continued ? "\\" : "").Append(ending);
                continue;
            }

            if (blockIndent >= 0 && (content.Trim().Length == 0 || indent > blockIndent))
            {
                // The lines of a YAML value written below its secret key (a block scalar, or a plain scalar on the next lines).
                result.Append(content.Trim().Length == 0 ? content : content[..indent] + Marker).Append(ending);
                continue;
            }

            blockIndent = -1;
            int before = redactions.Count;
            string redacted = yaml
                ? RedactYaml(content, path, i + 1, redactions, ref blockIndent, indent, i + 1 < lines.Length ? lines[i + 1] : null)
                : RedactKeyValue(content, path, i + 1, redactions, ref section);
            continued = !yaml && redactions.Count > before && content.EndsWith('\\');
            result.Append(redacted).Append(continued ? "\\" : "").Append(ending);
        }

        return result.ToString();
    }

    /// <summary>
    /// The text with the secret words of command lines replaced (<c>rd.iscsi.password=…</c> on the kernel's
    /// command line, in GRUB_CMDLINE_LINUX, in dracut's kernel_cmdline), each listed.
    /// </summary>
    public static string RedactWords(string path, string text, List<SriovRedaction> redactions)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            lines[i] = Word().Replace(lines[i], match =>
            {
                if (!IsSecretKey(match.Groups["key"].Value, yaml: false))
                {
                    return match.Value;
                }

                redactions.Add(new SriovRedaction(path, number, match.Groups["key"].Value));
                return match.Groups["key"].Value + "=" + Marker;
            });
        }

        return string.Join('\n', lines);
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

    /// <summary>Whether a key names a secret in some network configuration format; "keys", "private" and "shared" only in YAML (netplan's WireGuard).</summary>
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
        return normalized is "pin" or "key"
            || (yaml && normalized is "keys" or "private" or "shared")
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
        if (IfupdownCommand().Match(line) is { Success: true } command)
        {
            // "up ip macsec ... key 01 <hex>": what follows a secret's name on a command ifupdown runs.
            redactions.Add(new SriovRedaction(path, number, command.Groups["word"].Value));
            return command.Groups["head"].Value + Marker;
        }

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

    private static string RedactYaml(string line, string path, int number, List<SriovRedaction> redactions, ref int blockIndent, int indent, string? next)
    {
        // A commented-out setting ("# password: old") is judged as the setting it was.
        var comment = YamlComment().Match(line);
        string prefix = comment.Success ? comment.Value : "";
        var setting = YamlSetting().Match(line[prefix.Length..]);
        if (setting.Success && IsSecretKey(setting.Groups["key"].Value, yaml: true))
        {
            string key = setting.Groups["key"].Value;
            string head = prefix + setting.Groups["head"].Value;
            string raw = setting.Groups["value"].Value;
            string value = raw.TrimEnd();
            if (value.StartsWith('#'))
            {
                value = "";
            }

            // A block scalar, with any indentation indicator, tag or anchor: |2, !!str |, &a >-.
            bool block = BlockIndicator().IsMatch(value);
            if (!comment.Success && (block || value.Length == 0))
            {
                // The value is on the lines below, more indented, unless they are the keys of a mapping (netplan's "key:" over "private:").
                if (block || next is null || !NestedMapping().IsMatch(next))
                {
                    blockIndent = indent;
                    redactions.Add(new SriovRedaction(path, number, key));
                }

                return line;
            }

            if (value.Length > 0 && value[0] is not ('{' or '[') && value is not ("\"\"" or "''"))
            {
                string after = "";
                if (value[0] is '"' or '\'')
                {
                    int close = ClosingQuote(value);
                    after = close > 0 ? value[(close + 1)..] : "";
                    if (close < 0 && !comment.Success)
                    {
                        // A quoted value that goes on over the lines below.
                        blockIndent = indent;
                    }
                }
                else if (PlainEnd().Match(value) is { Success: true } end)
                {
                    // A comment, or the end of a flow mapping spread over lines ("password: x}"), stays.
                    after = value[end.Index..];
                }

                redactions.Add(new SriovRedaction(path, number, key));
                string quote = value[0] is '"' or '\'' ? value[0].ToString() : "";
                if (!comment.Success && after.Length == 0 && value[0] is not ('"' or '\''))
                {
                    // A plain value may go on over the more indented lines below.
                    blockIndent = indent;
                }

                return head + quote + Marker + quote + after + raw[Math.Min(value.Length, raw.Length)..];
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

    // wep-key0..3 (NetworkManager, also as "wifi-security.wep-key0"), wpa-wep-key0..3, wireless-key and wireless-key1..4
    // (ifupdown); not wep-key-type or wireless-keymode.
    [GeneratedRegex("(wepkey[0-9]|wirelesskey[0-9]?)$")]
    private static partial Regex WepKey();

    // A commented-out setting is judged too: "# psk=..." or networkd's ";PrivateKey=..." may still hold an old key.
    [GeneratedRegex("""^(?<head>[ \t]*(?:[#;][ \t]*)?(?<key>[^\s=#;\[][^=]*?|[^\s=#;\[]+)(?<separator>[ \t]*=[ \t]*|[ \t]+))(?<value>.*)$""")]
    private static partial Regex KeyValue();

    // A command of an ifupdown stanza (up, pre-up, post-down…) that names a key, password or secret, up to that name.
    [GeneratedRegex("""^(?<head>[ \t]*(?:pre-|post-)?(?:up|down)[ \t].*?[ \t](?<word>key|psk|password|passphrase|secret)[ \t]+)\S.*$""", RegexOptions.IgnoreCase)]
    private static partial Regex IfupdownCommand();

    // A word of a command line: key=value, after a blank, a quote or the line's start.
    [GeneratedRegex("""(?<=^|[\s"'])(?<key>[A-Za-z0-9_.-]+)=(?<value>[^\s"']+)""")]
    private static partial Regex Word();

    [GeneratedRegex("""^[ \t]*#[ \t]*""")]
    private static partial Regex YamlComment();

    [GeneratedRegex("""^(?:[!&][^ \t]*[ \t]+)*[|>][0-9+-]*[ \t]*(?:#.*)?$""")]
    private static partial Regex BlockIndicator();

    // A line that is a key of a mapping or an item of a list: what follows a key that holds a mapping, not a value.
    [GeneratedRegex("""^[ \t]*(?:-[ \t]|["']?[A-Za-z0-9][A-Za-z0-9_.:-]*["']?[ \t]*:(?:[ \t]|$))""")]
    private static partial Regex NestedMapping();

    // Where a plain value ends: at a comment (" #"), or at the brackets and commas closing a flow collection.
    [GeneratedRegex("""([ \t]+#.*|[ \t]*[,}\]][,}\] \t]*(?:#.*)?)$""")]
    private static partial Regex PlainEnd();

    // A YAML setting that starts its line (after indentation or "- "): its value is the rest of the line.
    [GeneratedRegex("""^(?<head>[ \t]*(?:-[ \t]+)?(?<quote>["']?)(?<key>[A-Za-z0-9][A-Za-z0-9_.:-]*?)\k<quote>[ \t]*:(?:[ \t]+|$))(?<value>.*)$""")]
    private static partial Regex YamlSetting();

    // A key inside a flow mapping, and its value: quoted, or up to a comma or closing brace.
    [GeneratedRegex("""(?<head>[{,][ \t]*(?<quote>["']?)(?<key>[A-Za-z0-9][A-Za-z0-9_.-]*)\k<quote>[ \t]*:[ \t]*)(?<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,}{\[\]]*[^,}{\[\]\s]|)""")]
    private static partial Regex FlowSetting();
}
