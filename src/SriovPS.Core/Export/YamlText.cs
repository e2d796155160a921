using System.Text;

namespace SriovPS.Export;

/// <summary>A YAML value to write: a mapping (keys in the order added), a sequence, or a scalar.</summary>
internal abstract class YamlNode
{
    public static YamlScalar Text(string value) => new(YamlText.DoubleQuoted(value));

    public static YamlScalar Number(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static YamlScalar Flag(bool value) => new(value ? "true" : "false");
}

internal sealed class YamlScalar(string rendered) : YamlNode
{
    /// <summary>The scalar as it is written: quoted text, a number, true or false.</summary>
    public string Rendered { get; } = rendered;
}

internal sealed class YamlMap : YamlNode
{
    public List<KeyValuePair<string, YamlNode>> Entries { get; } = [];

    public YamlMap Add(string key, YamlNode value)
    {
        Entries.Add(new(key, value));
        return this;
    }

    public YamlMap Add(string key, string value) => Add(key, Text(value));

    public YamlMap Add(string key, long value) => Add(key, Number(value));

    public YamlMap Add(string key, bool value) => Add(key, Flag(value));

    /// <summary>Adds the entry only when there is a value: a setting not known is left out, never guessed.</summary>
    public YamlMap AddIfKnown(string key, string? value) => value is null ? this : Add(key, value);

    public YamlMap AddIfKnown(string key, long? value) => value is long known ? Add(key, known) : this;

    public YamlMap AddIfKnown(string key, bool? value) => value is bool known ? Add(key, known) : this;
}

internal sealed class YamlList : YamlNode
{
    public YamlList(IEnumerable<YamlNode>? items = null) => Items = items?.ToList() ?? [];

    public List<YamlNode> Items { get; }

    public static YamlList Of(IEnumerable<string> values) => new(values.Select(v => (YamlNode)Text(v)));
}

/// <summary>
/// Writes YAML 1.2 in block style, as Kubernetes manifests are written, with every string
/// double-quoted and escaped the way JSON escapes it: a value such as <c>on</c>, <c>0x10</c>,
/// <c>1e3</c> or <c>null</c> stays a string under every YAML parser (1.1 or 1.2), and nothing
/// depends on a YAML library that another module in the session could load in another version.
/// </summary>
internal static class YamlText
{
    /// <summary>Several documents in one stream, each started with <c>---</c>.</summary>
    public static string Documents(IEnumerable<YamlNode> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            text.Append("---\n");
            Write(text, document, 0);
        }

        return text.ToString();
    }

    /// <summary>One document, without a <c>---</c> line.</summary>
    public static string Document(YamlNode document)
    {
        var text = new StringBuilder();
        Write(text, document, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, YamlNode node, int indent)
    {
        switch (node)
        {
            case YamlMap map:
                foreach (var (key, value) in map.Entries)
                {
                    text.Append(' ', indent).Append(Key(key)).Append(':');
                    WriteValue(text, value, indent);
                }

                break;
            case YamlList list:
                foreach (var item in list.Items)
                {
                    WriteItem(text, item, indent);
                }

                break;
            case YamlScalar scalar:
                text.Append(' ', indent).Append(scalar.Rendered).Append('\n');
                break;
        }
    }

    // After "key:": a scalar or an empty collection on the same line, anything else on the lines below.
    private static void WriteValue(StringBuilder text, YamlNode value, int indent)
    {
        switch (value)
        {
            case YamlScalar scalar:
                text.Append(' ').Append(scalar.Rendered).Append('\n');
                break;
            case YamlMap { Entries.Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlList { Items.Count: 0 }:
                text.Append(" []\n");
                break;
            case YamlMap map:
                text.Append('\n');
                Write(text, map, indent + 2);
                break;
            case YamlList list:
                // A sequence under a key at the key's own indentation, as kubectl writes it.
                text.Append('\n');
                Write(text, list, indent);
                break;
        }
    }

    private static void WriteItem(StringBuilder text, YamlNode item, int indent)
    {
        text.Append(' ', indent).Append('-');
        switch (item)
        {
            case YamlMap { Entries.Count: > 0 } map:
                // The first entry on the dash's line, the others aligned under it.
                var (firstKey, firstValue) = map.Entries[0];
                text.Append(' ').Append(Key(firstKey)).Append(':');
                WriteValue(text, firstValue, indent + 2);
                foreach (var (key, value) in map.Entries.Skip(1))
                {
                    text.Append(' ', indent + 2).Append(Key(key)).Append(':');
                    WriteValue(text, value, indent + 2);
                }

                break;
            case YamlList { Items.Count: > 0 } list:
                text.Append('\n');
                Write(text, list, indent + 2);
                break;
            default:
                WriteValue(text, item, indent);
                break;
        }
    }

    /// <summary>A key as written: plain when it is a name no parser reads as anything but that string.</summary>
    internal static string Key(string key) => IsPlainKey(key) ? key : DoubleQuoted(key);

    private static bool IsPlainKey(string key)
    {
        if (key.Length == 0 || !char.IsAsciiLetter(key[0]) || key.EndsWith('.'))
        {
            return false;
        }

        foreach (char c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
            {
                return false;
            }
        }

        // Words YAML 1.1 reads as booleans or null.
        return key.ToLowerInvariant() is not ("y" or "n" or "yes" or "no" or "on" or "off" or "true" or "false" or "null");
    }

    /// <summary>
    /// A double-quoted scalar, escaped as JSON escapes a string (which YAML's double-quoted style
    /// reads alike), plus the characters YAML will not take unescaped.
    /// </summary>
    internal static string DoubleQuoted(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\t': text.Append("\\t"); break;
                case '\r': text.Append("\\r"); break;
                default:
                    if (NeedsEscape(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    // Control characters, C1, the line and paragraph separators and the byte order mark.
    private static bool NeedsEscape(char c) => c < 0x20 || c is >= '\u007f' and <= '\u009f' or '\u2028' or '\u2029' or '\ufeff';

    /// <summary>
    /// A single-quoted scalar for text with no line break (JSON on one line reads best so, as
    /// Kubernetes examples write a NetworkAttachmentDefinition's config); double-quoted otherwise.
    /// </summary>
    internal static YamlScalar SingleQuoted(string value) =>
        value.Any(NeedsEscape)
            ? YamlNode.Text(value)
            : new YamlScalar("'" + value.Replace("'", "''", StringComparison.Ordinal) + "'");
}
