using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Values;

/// <summary>
/// A name or a PowerShell wildcard pattern (<c>*</c>, <c>?</c>, <c>[a-c]</c>, backtick escapes),
/// matched case-insensitively as PowerShell's <c>Get-*</c> commands do.
/// </summary>
internal sealed class NamePattern
{
    private readonly Regex? _regex;

    private NamePattern(string text, Regex? regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    /// <summary>True when the pattern holds wildcards; a literal name that matches nothing is an error, a pattern is not.</summary>
    public bool IsWildcard => _regex is not null;

    public static bool HasWildcards(string text) => text.AsSpan().IndexOfAny("*?[") >= 0;

    /// <exception cref="SriovException">A '[' is never closed, or a range in it is reversed.</exception>
    public static NamePattern Parse(string text) =>
        HasWildcards(text) ? new NamePattern(text, ToRegex(text)) : new NamePattern(Unescape(text), null);

    public bool IsMatch(string? name) =>
        name is not null && (_regex?.IsMatch(name) ?? string.Equals(name, Text, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Text;

    private static string Unescape(string text) => text.Contains('`') ? text.Replace("``", "\u0001").Replace("`", "").Replace('\u0001', '`') : text;

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close <= i + 1)
                    {
                        throw new SriovException(
                            ErrorCatalog.InvalidWildcardPattern,
                            $"The wildcard pattern '{pattern}' has a '[' without a closing ']' or with nothing inside.",
                            pattern);
                    }

                    regex.Append('[').Append(BracketContent(pattern.AsSpan(i + 1, close - i - 1))).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        try
        {
            return new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            // What the translation cannot rule out, such as a reversed range ([9-0]).
            throw new SriovException(
                ErrorCatalog.InvalidWildcardPattern,
                $"The wildcard pattern '{pattern}' is not valid: a range inside [ ] must run from the lower character to the higher ([0-9], not [9-0]).",
                pattern,
                inner: e);
        }
    }

    // Inside brackets only '-' between two characters keeps its meaning; everything else is literal.
    private static string BracketContent(ReadOnlySpan<char> content)
    {
        var result = new StringBuilder();
        for (int i = 0; i < content.Length; i++)
        {
            char c = content[i];
            if (c == '-' && i > 0 && i < content.Length - 1)
            {
                result.Append('-');
            }
            else if (c is '\\' or ']' or '[' or '^' or '-')
            {
                result.Append('\\').Append(c);
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
