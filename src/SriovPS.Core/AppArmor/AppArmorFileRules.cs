using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.AppArmor;

/// <summary>One file rule of an AppArmor profile or abstraction: a path glob and its permissions.</summary>
internal sealed record AppArmorFileRule(string Path, string Permissions, bool Deny, string Source, int Line)
{
    private Regex? _pattern;

    /// <summary>Whether the rule's glob covers <paramref name="path"/>.</summary>
    public bool Covers(string path) => (_pattern ??= AppArmorGlob.ToRegex(Path)).IsMatch(path);

    /// <summary>The rule as a finding quotes it: <c>/dev/vfio/* rw,</c> (FILE line N).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"'{(Deny ? "deny " : "")}{Path} {Permissions},' ({Source} line {Line})");
}

/// <summary>
/// The file rules of AppArmor policy text and its includes, as far as a readiness check needs them:
/// <c>[audit] [allow|deny] [owner] [file] PATH PERMS,</c> or with the permissions first. Other rules
/// (capabilities, network, signal…) and variables are not file paths a check asks about, and are left out.
/// </summary>
internal static class AppArmorFileRules
{
    private static readonly HashSet<string> Qualifiers = new(StringComparer.Ordinal) { "audit", "allow", "owner", "file" };

    /// <summary>The file rules in <paramref name="text"/>, each tagged with <paramref name="source"/> and its line.</summary>
    public static List<AppArmorFileRule> Parse(string? text, string source)
    {
        var rules = new List<AppArmorFileRule>();
        int number = 0;
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            number++;
            string line = StripComment(raw.Trim());
            if (!line.EndsWith(',') || line.Length < 2)
            {
                continue;
            }

            var words = new List<string>(line[..^1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            bool endsWithFile = words.Count > 0 && words[^1] == "file";
            bool deny = false;
            while (words.Count > 0 && (Qualifiers.Contains(words[0]) || words[0] == "deny"))
            {
                deny |= words[0] == "deny";
                words.RemoveAt(0);
            }

            // A bare "file," grants every file access.
            if (words.Count == 0 && endsWithFile)
            {
                rules.Add(new AppArmorFileRule("/**", "rwmlk", deny, source, number));
                continue;
            }

            if (words.Count != 2)
            {
                continue;
            }

            // "PATH PERMS" or "PERMS PATH"; the path starts with '/' (quoted or not).
            int pathIndex = IsPath(words[0]) ? 0 : IsPath(words[1]) ? 1 : -1;
            if (pathIndex >= 0)
            {
                rules.Add(new AppArmorFileRule(words[pathIndex].Trim('"'), words[1 - pathIndex], deny, source, number));
            }
        }

        return rules;
    }

    /// <summary>Whether <paramref name="text"/> includes <paramref name="target"/> (<c>include if exists &lt;…&gt;</c>, <c>#include &lt;…&gt;</c>).</summary>
    public static bool Includes(string? text, string target)
    {
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            string line = raw.Trim();
            foreach (var directive in new[] { "#include if exists", "#include", "include if exists", "include" })
            {
                if (line.StartsWith(directive, StringComparison.Ordinal)
                    && line[directive.Length..].Trim() is var rest && (rest == $"<{target}>" || rest == $"\"{target}\""))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The allowing rules that together give read and write on <paramref name="path"/> (one rule may
    /// give r and another w), unless a deny rule takes either away; empty when access is not granted.
    /// </summary>
    public static List<AppArmorFileRule> ReadWriteGrant(IReadOnlyList<AppArmorFileRule> rules, string path)
    {
        var grants = new List<AppArmorFileRule>();
        bool read = false, write = false;
        foreach (var rule in rules)
        {
            bool readOrWrite = rule.Permissions.Contains('r') || rule.Permissions.Contains('w');
            if (!readOrWrite || !rule.Covers(path))
            {
                continue;
            }

            if (rule.Deny)
            {
                return [];
            }

            if ((!read && rule.Permissions.Contains('r')) || (!write && rule.Permissions.Contains('w')))
            {
                grants.Add(rule);
                read |= rule.Permissions.Contains('r');
                write |= rule.Permissions.Contains('w');
            }
        }

        return read && write ? grants : [];
    }

    private static bool IsPath(string word) => word.StartsWith('/') || word.StartsWith("\"/", StringComparison.Ordinal);

    /// <summary>A line without its comment; <c>#include</c> is a directive, not a comment.</summary>
    private static string StripComment(string line)
    {
        if (line.StartsWith("#include", StringComparison.Ordinal))
        {
            return string.Empty;
        }

        int hash = line.IndexOf('#');
        return (hash >= 0 ? line[..hash] : line).TrimEnd();
    }
}

/// <summary>AppArmor's path globs: <c>*</c> and <c>?</c> within one path element, <c>**</c> across them, <c>[…]</c>, <c>{a,b}</c>.</summary>
internal static class AppArmorGlob
{
    public static Regex ToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        int braces = 0;
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    pattern.Append(".*");
                    i++;
                    break;
                case '*':
                    pattern.Append("[^/]*");
                    break;
                case '?':
                    pattern.Append("[^/]");
                    break;
                case '[':
                    int end = glob.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        pattern.Append(@"\[");
                        break;
                    }

                    string set = glob[(i + 1)..end];
                    pattern.Append('[').Append(set.StartsWith('^') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                case '{':
                    braces++;
                    pattern.Append("(?:");
                    break;
                case '}' when braces > 0:
                    braces--;
                    pattern.Append(')');
                    break;
                case ',' when braces > 0:
                    pattern.Append('|');
                    break;
                default:
                    pattern.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        // An unbalanced '{' or a malformed set is not a glob AppArmor accepts: the rule then covers nothing.
        if (braces == 0)
        {
            try
            {
                return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
            }
            catch (ArgumentException)
            {
                // A set such as [z-a] that .NET rejects; AppArmor's parser would reject the rule too.
            }
        }

        return new Regex("(?!)");
    }
}
