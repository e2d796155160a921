using System.Text.RegularExpressions;

namespace SriovPS.Boot;

/// <summary>The new text of <c>/etc/default/grub</c>, with the words added and removed.</summary>
internal sealed record GrubCommandLineEdit(string OldText, string NewText, IReadOnlyList<string> Added, IReadOnlyList<string> Removed)
{
    public bool Changes => !string.Equals(OldText, NewText, StringComparison.Ordinal);
}

/// <summary>
/// Puts kernel words into <c>/etc/default/grub</c>: <c>GRUB_CMDLINE_LINUX_DEFAULT</c> (the normal boot
/// entries) gets the words it lacks, in its own quoting; a contrary word is dropped from it or from
/// <c>GRUB_CMDLINE_LINUX</c> (every entry), wherever it is written; every other word, quote,
/// comment and line stays as it was. A key given twice is read as the shell reads it (the last wins,
/// and may build on the one before), and words are added to the last.
/// </summary>
internal static partial class GrubCommandLine
{
    public const string HostPath = "/etc/default/grub";
    public const string DefaultKey = "GRUB_CMDLINE_LINUX_DEFAULT";
    public const string AllEntriesKey = "GRUB_CMDLINE_LINUX";

    /// <exception cref="SriovException">
    /// The file cannot be read as the shell reads it, or a contrary word is written where it cannot be
    /// removed without changing anything else (inside another variable, or quoted across pieces).
    /// </exception>
    public static GrubCommandLineEdit Plan(string text, KernelWordRequest request)
    {
        if (text.Contains('\r', StringComparison.Ordinal))
        {
            throw Uneditable($"{HostPath} has DOS line ends (CR LF): the shell keeps the CR as part of the last word of each line.");
        }

        CheckEveryUseIsRead(text);
        CheckEveryValueEnds(text);

        // A command substitution holds quotes and blanks of its own, which this reading does not follow.
        foreach (var assignment in Parse(text).Where(a => a.Key is DefaultKey or AllEntriesKey))
        {
            string raw = text[assignment.ValueStart..assignment.ValueEnd];
            if (raw.Contains("$(", StringComparison.Ordinal) || raw.Contains('`', StringComparison.Ordinal))
            {
                throw Uneditable($"{assignment.Key} on line {assignment.Line} of {HostPath} runs a command ($(…) or `…`), whose output SriovPS cannot know or edit safely.");
            }
        }

        var removed = new List<string>();
        string withoutContrary = RemoveContrary(text, request, removed);

        var assignments = Parse(withoutContrary);
        var values = ShellAssignments.Evaluate(withoutContrary, assignments);
        var line = CommandLineOf(values);
        if (line.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => request.Contrary(w) is not null) is { } left)
        {
            throw Uneditable($"{left} is on the kernel command line {HostPath} makes, but not written in {DefaultKey} or {AllEntriesKey} as a plain word (it comes from another variable, or is quoted in pieces).");
        }

        var added = request.Missing(line);
        string newText = added.Count == 0 ? withoutContrary : Add(withoutContrary, assignments, added);
        CheckReadsAsPlanned(withoutContrary, newText, line, added, request);
        return new GrubCommandLineEdit(text, newText, added, removed);
    }

    /// <summary>
    /// The words the file puts on the command line of a normal boot entry (<c>GRUB_CMDLINE_LINUX</c>,
    /// then <c>GRUB_CMDLINE_LINUX_DEFAULT</c>); <c>null</c> when it cannot be read as the shell reads it.
    /// </summary>
    public static KernelCommandLine? Read(string text)
    {
        try
        {
            var assignments = ShellAssignments.Parse(text);
            return CommandLineOf(ShellAssignments.Evaluate(text, assignments));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses a file that sets the keys where this reading does not see it (after a ';', inside an
    /// 'if … then', with bash's '+='): a word added to the assignment seen could be overridden, or override.
    /// </summary>
    private static void CheckEveryUseIsRead(string text)
    {
        var starts = Parse(text).Select(a => a.ValueStart - 1 - a.Key.Length).ToHashSet();
        List<ShellBlock> blocks;
        try
        {
            blocks = ShellStructure.Blocks(text);
        }
        catch (FormatException e)
        {
            throw Uneditable($"{HostPath} cannot be read as the shell reads it: {e.Message}.");
        }

        foreach (Match use in KeyUse().Matches(text))
        {
            int lineStart = text.LastIndexOf('\n', use.Index) + 1;
            bool comment = text.AsSpan(lineStart, use.Index - lineStart).TrimStart().StartsWith("#");
            bool reference = use.Index > 0 && (text[use.Index - 1] == '$' || (use.Index > 1 && text[use.Index - 1] == '{' && text[use.Index - 2] == '$'));
            if (comment || reference)
            {
                continue;
            }

            int line = ShellAssignments.LineOf(text, use.Index);
            if (!starts.Contains(use.Index))
            {
                throw Uneditable($"{use.Value} is set on line {line} of {HostPath} in a way SriovPS does not edit (after ';', inside 'if', or with '+='): a word added elsewhere could be overridden.");
            }

            // A line of its own, but one the shell runs only sometimes, or never.
            if (blocks.FirstOrDefault(b => use.Index >= b.Start && use.Index < b.End) is { } block)
            {
                throw Uneditable($"{use.Value} is set on line {line} of {HostPath} {block.Description}: the shell may not apply it, so SriovPS does not edit it.");
            }
        }
    }

    /// <summary>
    /// Refuses a value that ends the file with a backslash: the words added after it would be glued
    /// to it or escape their own quote, and the shell could no longer read the file.
    /// </summary>
    private static void CheckEveryValueEnds(string text)
    {
        foreach (var assignment in Parse(text).Where(a => a.Key is DefaultKey or AllEntriesKey))
        {
            int backslashes = 0;
            for (int i = assignment.ValueEnd - 1; i >= assignment.ValueStart && text[i] == '\\'; i--)
            {
                backslashes++;
            }

            if (assignment.ValueEnd == text.Length && backslashes % 2 == 1)
            {
                throw Uneditable($"{assignment.Key} on line {assignment.Line} of {HostPath} ends the file with a backslash, which would run into the words added after it.");
            }
        }
    }

    /// <summary>
    /// The new text read back as the shell reads it: every other variable as before, the kernel command
    /// line as before plus the words added, and no block opened or closed. What does not read so is
    /// not written.
    /// </summary>
    private static void CheckReadsAsPlanned(string oldText, string newText, KernelCommandLine before, List<string> added, KernelWordRequest request)
    {
        if (added.Count == 0)
        {
            return;
        }

        string? why = null;
        try
        {
            ShellStructure.Blocks(newText);
            var oldValues = ShellAssignments.Evaluate(oldText, ShellAssignments.Parse(oldText));
            var newValues = ShellAssignments.Evaluate(newText, ShellAssignments.Parse(newText));
            var after = CommandLineOf(newValues);
            if (newValues.Keys.Except([DefaultKey]).Order(StringComparer.Ordinal).SequenceEqual(oldValues.Keys.Except([DefaultKey]).Order(StringComparer.Ordinal)) is false
                || newValues.Any(v => v.Key is not (DefaultKey or AllEntriesKey) && oldValues.GetValueOrDefault(v.Key) != v.Value))
            {
                why = "another variable would change";
            }
            else if (!Words(after).SequenceEqual(Words(before).Concat(added), StringComparer.Ordinal)
                || request.Missing(after).Count > 0)
            {
                why = $"the kernel command line would read '{string.Join(' ', Words(after))}'";
            }
        }
        catch (FormatException e)
        {
            why = e.Message;
        }

        if (why is not null)
        {
            throw Uneditable($"{HostPath} is written in a way SriovPS cannot add {string.Join(' ', added)} to safely ({why}).");
        }
    }

    private static IEnumerable<string> Words(KernelCommandLine line) => line.Text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"\bGRUB_CMDLINE_LINUX(?:_DEFAULT)?\b")]
    private static partial Regex KeyUse();

    private static KernelCommandLine CommandLineOf(Dictionary<string, string> values) =>
        new(values.GetValueOrDefault(AllEntriesKey, "") + " " + values.GetValueOrDefault(DefaultKey, ""));

    private static List<ShellAssignment> Parse(string text)
    {
        try
        {
            return ShellAssignments.Parse(text);
        }
        catch (FormatException e)
        {
            throw Uneditable($"{HostPath} cannot be read as the shell reads it: {e.Message}.");
        }
    }

    private static string RemoveContrary(string text, KernelWordRequest request, List<string> removed)
    {
        var cuts = new List<(int Start, int End)>();
        foreach (var assignment in Parse(text).Where(a => a.Key is DefaultKey or AllEntriesKey))
        {
            for (int s = 0; s < assignment.Segments.Count; s++)
            {
                var segment = assignment.Segments[s];
                foreach (var (start, end) in Tokens(text, segment))
                {
                    string word = text[start..end];
                    if (request.Contrary(word) is not { } why || !IsWholePlainWord(text, assignment, s, start, end))
                    {
                        continue;
                    }

                    removed.Add($"{word} ({assignment.Key}, line {ShellAssignments.LineOf(text, start)}: {why})");
                    cuts.Add(WithOneSpace(text, segment, start, end));
                }
            }
        }

        foreach (var (start, end) in cuts.OrderByDescending(c => c.Start))
        {
            text = text.Remove(start, end - start);
        }

        return text;
    }

    /// <summary>The raw words of a segment: runs of non-blank characters between its quotes.</summary>
    private static IEnumerable<(int Start, int End)> Tokens(string text, ShellSegment segment)
    {
        int i = segment.Start;
        while (i < segment.End)
        {
            while (i < segment.End && IsBlank(text[i]))
            {
                i++;
            }

            int start = i;
            while (i < segment.End && !IsBlank(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                yield return (start, i);
            }
        }
    }

    /// <summary>
    /// Whether the raw token is one whole word of the value, written as the kernel reads it: no quote,
    /// escape or expansion in it, and not glued to the piece before or after it.
    /// </summary>
    private static bool IsWholePlainWord(string text, ShellAssignment assignment, int index, int start, int end)
    {
        if (text.AsSpan(start, end - start).IndexOfAny("\\$`\"'") >= 0)
        {
            return false;
        }

        var segment = assignment.Segments[index];
        // "quiet\ intel_iommu=off": the blank is escaped, so the two are one word.
        if (start - 2 >= segment.Start && IsBlank(text[start - 1]) && text[start - 2] == '\\')
        {
            return false;
        }

        bool gluedBefore = start == segment.Start && index > 0 && !EndsWithBlank(text, assignment.Segments[index - 1]);
        bool gluedAfter = end == segment.End && index < assignment.Segments.Count - 1 && !StartsWithBlank(text, assignment.Segments[index + 1]);
        return !gluedBefore && !gluedAfter;
    }

    private static bool EndsWithBlank(string text, ShellSegment segment) =>
        segment.IsQuoted && segment.End > segment.Start && IsBlank(text[segment.End - 1]);

    private static bool StartsWithBlank(string text, ShellSegment segment) =>
        segment.IsQuoted && segment.End > segment.Start && IsBlank(text[segment.Start]);

    /// <summary>The shell splits words on these alone (IFS); a no-break space is part of a word.</summary>
    private static bool IsBlank(char c) => c is ' ' or '\t' or '\n';

    /// <summary>The token with the blanks before it (or, first in its piece, after it): "quiet intel_iommu=off" keeps "quiet".</summary>
    private static (int Start, int End) WithOneSpace(string text, ShellSegment segment, int start, int end)
    {
        int before = start;
        while (before > segment.Start && text[before - 1] is ' ' or '\t')
        {
            before--;
        }

        if (before < start)
        {
            return (before, end);
        }

        int after = end;
        while (after < segment.End && text[after] is ' ' or '\t')
        {
            after++;
        }

        return (start, after);
    }

    private static string Add(string text, List<ShellAssignment> assignments, List<string> words)
    {
        string joined = string.Join(' ', words);
        if (assignments.LastOrDefault(a => a.Key == DefaultKey) is not { } last)
        {
            // After the line that sets GRUB_CMDLINE_LINUX, where a reader looks for it; else at the end.
            string line = $"{DefaultKey}=\"{joined}\"\n";
            if (assignments.LastOrDefault(a => a.Key == AllEntriesKey) is { } linux)
            {
                int newline = text.IndexOf('\n', linux.ValueEnd);
                return newline < 0 ? text + "\n" + line : text.Insert(newline + 1, line);
            }

            return text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + line;
        }

        if (last.Segments.Count == 0)
        {
            return text.Insert(last.ValueStart, $"\"{joined}\"");
        }

        var end = last.Segments[^1];
        if (end.IsQuoted)
        {
            bool blank = end.End == end.Start || IsBlank(text[end.End - 1]);
            return text.Insert(end.End, (blank ? "" : " ") + joined);
        }

        // An unquoted value takes no blanks: quote it, or add a quoted piece when it holds escapes or expansions.
        string raw = text[last.ValueStart..last.ValueEnd];
        return last.Segments.Count == 1 && raw.AsSpan().IndexOfAny("\\$`") < 0
            ? text.Remove(last.ValueStart, raw.Length).Insert(last.ValueStart, $"\"{raw} {joined}\"")
            : text.Insert(last.ValueEnd, $"\" {joined}\"");
    }

    private static SriovException Uneditable(string message) => new(
        ErrorCatalog.GrubDefaultsUneditable,
        message + " Nothing was changed.",
        HostPath,
        $"Edit {HostPath} by hand: {DefaultKey} should end with the words SriovPS would add, and say nothing against them.");
}
