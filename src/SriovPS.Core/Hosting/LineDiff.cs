using System.Text;

namespace SriovPS.Hosting;

/// <summary>Lines replaced at one place of a file: the old ones from <see cref="OldLine"/> on, and the new ones.</summary>
internal sealed record LineHunk(int OldLine, IReadOnlyList<string> Before, IReadOnlyList<string> After);

/// <summary>
/// The lines two versions of a configuration file differ in (a longest-common-subsequence diff: the
/// files are small), for -WhatIf and for the change a command reports.
/// </summary>
internal static class LineDiff
{
    public static List<LineHunk> Compute(string? oldText, string newText)
    {
        var before = Lines(oldText);
        var after = Lines(newText);

        // common[i, j]: the longest common subsequence of before[i..] and after[j..].
        var common = new int[before.Length + 1, after.Length + 1];
        for (int i = before.Length - 1; i >= 0; i--)
        {
            for (int j = after.Length - 1; j >= 0; j--)
            {
                common[i, j] = before[i] == after[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var hunks = new List<LineHunk>();
        int b = 0, a = 0;
        while (b < before.Length || a < after.Length)
        {
            if (b < before.Length && a < after.Length && before[b] == after[a])
            {
                b++;
                a++;
                continue;
            }

            int start = b;
            var removed = new List<string>();
            var added = new List<string>();
            while ((b < before.Length || a < after.Length) && !(b < before.Length && a < after.Length && before[b] == after[a]))
            {
                if (a >= after.Length || (b < before.Length && common[b + 1, a] >= common[b, a + 1]))
                {
                    removed.Add(before[b++]);
                }
                else
                {
                    added.Add(after[a++]);
                }
            }

            hunks.Add(new LineHunk(start + 1, removed, added));
        }

        return hunks;
    }

    /// <summary>The hunks as a reader compares them: <c>line 12:</c>, then <c>- old</c> and <c>+ new</c> lines.</summary>
    public static string Render(IEnumerable<LineHunk> hunks)
    {
        var text = new StringBuilder();
        foreach (var hunk in hunks)
        {
            text.Append(CultureInfo.InvariantCulture, $"line {hunk.OldLine}:\n");
            foreach (var line in hunk.Before)
            {
                text.Append("- ").Append(line).Append('\n');
            }

            foreach (var line in hunk.After)
            {
                text.Append("+ ").Append(line).Append('\n');
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string[] Lines(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        // Bytes that are not UTF-8 are shown as \xNN, not as characters no terminal prints.
        var lines = text.Split('\n').Select(ConfigText.Printable).ToArray();
        // A final newline ends the last line; it does not start another.
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
