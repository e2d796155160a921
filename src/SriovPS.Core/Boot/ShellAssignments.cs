using System.Text;

namespace SriovPS.Boot;

/// <summary>
/// One piece of a shell value as written: <c>'single'</c>, <c>"double"</c> or unquoted; <see cref="Start"/>
/// and <see cref="End"/> bound the raw text between its quotes.
/// </summary>
internal readonly record struct ShellSegment(char Quote, int Start, int End)
{
    public const char Unquoted = '\0';

    public bool IsQuoted => Quote != Unquoted;
}

/// <summary><c>KEY=VALUE</c> in a file the shell sources, where its value lies in the text and how it is quoted.</summary>
internal sealed record ShellAssignment(string Key, int Line, int ValueStart, int ValueEnd, IReadOnlyList<ShellSegment> Segments);

/// <summary>
/// The variable assignments of a file the shell sources, such as <c>/etc/default/grub</c>: read as
/// <c>sh</c> would read them (quotes, backslashes, a value spread over lines, <c>export</c>, comments),
/// so that one value can be changed in place without touching a character of anything else.
/// </summary>
internal static class ShellAssignments
{
    /// <summary>Every assignment at the start of a line, in file order.</summary>
    /// <exception cref="FormatException">A quote is never closed; the message names the line.</exception>
    public static List<ShellAssignment> Parse(string text)
    {
        var result = new List<ShellAssignment>();
        int i = 0;
        while (i < text.Length)
        {
            i = SkipBlanks(text, i);
            if (StartsWithWord(text, i, "export"))
            {
                i = SkipBlanks(text, i + "export".Length);
            }

            int keyStart = i;
            if (i < text.Length && IsNameStart(text[i]))
            {
                while (i < text.Length && IsNameChar(text[i]))
                {
                    i++;
                }
            }

            if (i > keyStart && i < text.Length && text[i] == '=')
            {
                var (segments, end) = ReadValue(text, i + 1);
                result.Add(new ShellAssignment(text[keyStart..i], LineOf(text, keyStart), i + 1, end, segments));
                i = end;
            }

            int newline = text.IndexOf('\n', i);
            i = newline < 0 ? text.Length : newline + 1;
        }

        return result;
    }

    /// <summary>
    /// The value as the shell makes it: quotes removed, escapes applied, and <c>$NAME</c> or
    /// <c>${NAME}</c> replaced by <paramref name="variable"/>'s answer (empty when it has none).
    /// </summary>
    public static string Decode(string text, ShellAssignment assignment, Func<string, string?> variable)
    {
        var value = new StringBuilder();
        foreach (var segment in assignment.Segments)
        {
            if (segment.Quote == '\'')
            {
                value.Append(text, segment.Start, segment.End - segment.Start);
                continue;
            }

            for (int i = segment.Start; i < segment.End; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < segment.End)
                {
                    char next = text[++i];
                    if (segment.IsQuoted && next is not ('$' or '`' or '"' or '\\' or '\n'))
                    {
                        value.Append('\\');
                    }

                    if (next != '\n')
                    {
                        value.Append(next);
                    }
                }
                else if (c == '$' && VariableAt(text, i, segment.End) is var (name, length) && length > 0)
                {
                    value.Append(variable(name));
                    i += length - 1;
                }
                else
                {
                    value.Append(c);
                }
            }
        }

        return value.ToString();
    }

    /// <summary>
    /// The values the assignments leave each variable with, evaluated in order (a later one may build on
    /// an earlier one: <c>GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT quiet"</c>).
    /// </summary>
    public static Dictionary<string, string> Evaluate(string text, IEnumerable<ShellAssignment> assignments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            values[assignment.Key] = Decode(text, assignment, name => values.GetValueOrDefault(name));
        }

        return values;
    }

    /// <summary>The 1-based line of <paramref name="index"/>.</summary>
    public static int LineOf(string text, int index)
    {
        int line = 1;
        for (int i = 0; i < index && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static (List<ShellSegment> Segments, int End) ReadValue(string text, int start)
    {
        var segments = new List<ShellSegment>();
        int i = start;
        while (i < text.Length && !EndsValue(text[i]))
        {
            char c = text[i];
            if (c == '\'')
            {
                int close = text.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    throw Unclosed(text, i);
                }

                segments.Add(new ShellSegment('\'', i + 1, close));
                i = close + 1;
            }
            else if (c == '"')
            {
                int j = i + 1;
                while (j < text.Length && text[j] != '"')
                {
                    j += text[j] == '\\' ? 2 : 1;
                }

                if (j >= text.Length)
                {
                    throw Unclosed(text, i);
                }

                segments.Add(new ShellSegment('"', i + 1, j));
                i = j + 1;
            }
            else
            {
                int j = i;
                while (j < text.Length && !EndsValue(text[j]) && text[j] is not ('\'' or '"'))
                {
                    j += text[j] == '\\' && j + 1 < text.Length ? 2 : 1;
                }

                segments.Add(new ShellSegment(ShellSegment.Unquoted, i, j));
                i = j;
            }
        }

        return (segments, i);
    }

    /// <summary>The name of <c>$NAME</c> or <c>${NAME}</c> at <paramref name="dollar"/>, and how many characters it takes.</summary>
    private static (string Name, int Length) VariableAt(string text, int dollar, int end)
    {
        int i = dollar + 1;
        bool braced = i < end && text[i] == '{';
        if (braced)
        {
            i++;
        }

        int nameStart = i;
        if (i < end && IsNameStart(text[i]))
        {
            while (i < end && IsNameChar(text[i]))
            {
                i++;
            }
        }

        if (i == nameStart || (braced && (i >= end || text[i] != '}')))
        {
            return (string.Empty, 0);
        }

        return (text[nameStart..i], i - dollar + (braced ? 1 : 0));
    }

    private static FormatException Unclosed(string text, int quote) =>
        new($"the quote ({text[quote]}) opened on line {LineOf(text, quote)} is never closed");

    private static bool EndsValue(char c) => c is ' ' or '\t' or '\n' or '\r' or ';' or '&' or '|';

    private static int SkipBlanks(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static bool StartsWithWord(string text, int i, string word) =>
        string.CompareOrdinal(text, i, word, 0, word.Length) == 0
        && i + word.Length < text.Length && text[i + word.Length] is ' ' or '\t';

    private static bool IsNameStart(char c) => c is '_' or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    private static bool IsNameChar(char c) => IsNameStart(c) || c is >= '0' and <= '9';
}
