namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// An INI-style file as systemd and NetworkManager write them: <c>[Section]</c> headers and
/// <c>Key=Value</c> lines, '#' and ';' comments. Each section keeps its lines as written, for carrying over.
/// </summary>
internal sealed class IniSections
{
    private readonly List<(string Name, List<string> Lines)> _sections = [];

    public static IniSections Parse(string text)
    {
        var ini = new IniSections();
        List<string>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
            {
                current = [line];
                ini._sections.Add((trimmed[1..^1].Trim(), current));
            }
            else
            {
                current?.Add(line);
            }
        }

        return ini;
    }

    public bool Has(string section) => _sections.Exists(s => string.Equals(s.Name, section, StringComparison.Ordinal));

    /// <summary>Every value of <paramref name="key"/> in every <paramref name="section"/>, in order (an empty value included).</summary>
    public List<string> Values(string section, string key)
    {
        var values = new List<string>();
        foreach (var (name, lines) in _sections)
        {
            if (!string.Equals(name, section, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var line in lines)
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                string trimmed = line.TrimStart();
                if (equals > 0 && trimmed.Length > 0 && trimmed[0] is not ('#' or ';')
                    && string.Equals(line[..equals].Trim(), key, StringComparison.Ordinal))
                {
                    values.Add(line[(equals + 1)..].Trim());
                }
            }
        }

        return values;
    }

    public string? Last(string section, string key) => Values(section, key) is { Count: > 0 } values ? values[^1] : null;

    /// <summary>The named sections as written, header included, trailing blank lines dropped, each line ending in a newline.</summary>
    public string Text(params string[] sections)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (name, lines) in _sections)
        {
            if (Array.IndexOf(sections, name) < 0)
            {
                continue;
            }

            int count = lines.Count;
            while (count > 1 && lines[count - 1].Trim().Length == 0)
            {
                count--;
            }

            if (text.Length > 0)
            {
                text.Append('\n');
            }

            for (int i = 0; i < count; i++)
            {
                text.Append(lines[i]).Append('\n');
            }
        }

        return text.ToString();
    }
}
