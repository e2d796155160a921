using System;
using System.Collections.Generic;
using System.Text;

namespace SriovPS.Build.Help;

internal enum BlockKind
{
    Heading,
    Paragraph,
    Code,
}

/// <summary>A heading, a paragraph or a fenced code block, with the line it starts on.</summary>
internal sealed record MarkdownBlock(BlockKind Kind, int Level, string Text, string Language, int Line);

/// <summary>Splits the subset of markdown PlatyPS writes into blocks: ATX headings, paragraphs, fenced code.</summary>
internal static class MarkdownBlocks
{
    public static List<MarkdownBlock> Parse(IReadOnlyList<string> lines, int firstLine, string source)
    {
        var blocks = new List<MarkdownBlock>();
        var paragraph = new StringBuilder();
        int paragraphLine = 0;

        void FlushParagraph()
        {
            if (paragraph.Length > 0)
            {
                blocks.Add(new MarkdownBlock(BlockKind.Paragraph, 0, paragraph.ToString(), "", paragraphLine));
                paragraph.Clear();
            }
        }

        for (int i = firstLine; i < lines.Count; i++)
        {
            string line = lines[i];
            string trimmed = line.TrimEnd();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                int start = i;
                var code = new StringBuilder();
                for (i++; i < lines.Count && !lines[i].TrimEnd().Equals("```", StringComparison.Ordinal); i++)
                {
                    code.Append(code.Length == 0 && i == start + 1 ? "" : "\n").Append(lines[i].TrimEnd());
                }

                if (i == lines.Count)
                {
                    throw new HelpFormatException(source, start + 1, "a code block opened here is never closed");
                }

                blocks.Add(new MarkdownBlock(BlockKind.Code, 0, code.ToString(), trimmed[3..].Trim(), start + 1));
            }
            else if (trimmed.StartsWith('#'))
            {
                FlushParagraph();
                int level = trimmed.Length - trimmed.TrimStart('#').Length;
                blocks.Add(new MarkdownBlock(BlockKind.Heading, level, trimmed[level..].Trim(), "", i + 1));
            }
            else if (trimmed.Length == 0)
            {
                FlushParagraph();
            }
            else
            {
                if (paragraph.Length == 0)
                {
                    paragraphLine = i + 1;
                }
                else
                {
                    // A soft line break is a space, as in any markdown; a list item keeps its own line.
                    paragraph.Append(IsListItem(trimmed) ? '\n' : ' ');
                }

                paragraph.Append(trimmed);
            }
        }

        FlushParagraph();
        return blocks;
    }

    private static bool IsListItem(string line)
    {
        var text = line.AsSpan().TrimStart();
        if (text.StartsWith("- ") || text.StartsWith("* "))
        {
            return true;
        }

        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        return digits > 0 && text[digits..].StartsWith(". ");
    }
}

/// <summary>A help page that does not follow the PlatyPS layout; names the file and line.</summary>
internal sealed class HelpFormatException(string source, int line, string problem)
    : Exception($"{source}:{line}: {problem}")
{
    public string FilePath { get; } = source;

    public int Line { get; } = line;
}
