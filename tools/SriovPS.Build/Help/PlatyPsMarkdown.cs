using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SriovPS.Build.Help;

/// <summary>
/// Reads a help page in PlatyPS's markdown schema 2.0.0: YAML front matter, <c># Verb-Noun</c>, then
/// the sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS.
/// </summary>
internal static partial class PlatyPsMarkdown
{
    private static readonly string[] RequiredSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS"];

    public static HelpDocument ReadFile(string path) =>
        Parse(File.ReadAllText(path), Path.GetFileName(path));

    public static HelpDocument Parse(string markdown, string source)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var (frontMatter, bodyStart) = ReadFrontMatter(lines, source);
        var blocks = MarkdownBlocks.Parse(lines, bodyStart, source);
        if (blocks.Count == 0 || blocks[0] is not { Kind: BlockKind.Heading, Level: 1 })
        {
            throw new HelpFormatException(source, bodyStart + 1, "the page must start with '# Verb-Noun'");
        }

        string commandName = blocks[0].Text;
        var sections = SplitSections(blocks, source);
        foreach (var required in RequiredSections)
        {
            if (!sections.ContainsKey(required))
            {
                throw new HelpFormatException(source, blocks[0].Line, $"the '## {required}' section is missing");
            }
        }

        var (parameters, common) = ReadParameters(sections["PARAMETERS"], source);
        return new HelpDocument(
            commandName,
            frontMatter,
            Paragraphs(sections["SYNOPSIS"]),
            ReadSyntax(sections["SYNTAX"], source),
            Paragraphs(sections["DESCRIPTION"]),
            ReadExamples(sections["EXAMPLES"], source),
            parameters,
            common,
            ReadTypeEntries(sections["INPUTS"], source),
            ReadTypeEntries(sections["OUTPUTS"], source),
            sections.TryGetValue("NOTES", out var notes) ? Paragraphs(notes) : [],
            sections.TryGetValue("RELATED LINKS", out var links) ? ReadLinks(links) : []);
    }

    private static (Dictionary<string, string>, int) ReadFrontMatter(string[] lines, string source)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            throw new HelpFormatException(source, 1, "the page must open with '---' front matter");
        }

        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd();
            if (line == "---")
            {
                return (values, i + 1);
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpFormatException(source, i + 1, $"front matter line '{line}' is not 'key: value'");
            }

            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        throw new HelpFormatException(source, 1, "the front matter is never closed with '---'");
    }

    private static Dictionary<string, List<MarkdownBlock>> SplitSections(List<MarkdownBlock> blocks, string source)
    {
        var sections = new Dictionary<string, List<MarkdownBlock>>(StringComparer.Ordinal);
        List<MarkdownBlock>? current = null;
        foreach (var block in blocks.Skip(1))
        {
            if (block is { Kind: BlockKind.Heading, Level: 2 })
            {
                if (!sections.TryAdd(block.Text, current = []))
                {
                    throw new HelpFormatException(source, block.Line, $"the '## {block.Text}' section appears twice");
                }
            }
            else if (current is null)
            {
                throw new HelpFormatException(source, block.Line, "text before the first '##' section");
            }
            else
            {
                current.Add(block);
            }
        }

        return sections;
    }

    /// <summary>Splits a section at its '###' headings: (heading, blocks under it).</summary>
    private static List<(MarkdownBlock Heading, List<MarkdownBlock> Body)> Subsections(List<MarkdownBlock> section, string source)
    {
        var result = new List<(MarkdownBlock, List<MarkdownBlock>)>();
        foreach (var block in section)
        {
            if (block is { Kind: BlockKind.Heading, Level: 3 })
            {
                result.Add((block, []));
            }
            else if (result.Count == 0)
            {
                throw new HelpFormatException(source, block.Line, "text before the first '###' heading of the section");
            }
            else
            {
                result[^1].Item2.Add(block);
            }
        }

        return result;
    }

    private static List<string> Paragraphs(IEnumerable<MarkdownBlock> blocks) =>
        blocks.Where(b => b.Kind == BlockKind.Paragraph).Select(b => b.Text).ToList();

    private static List<SyntaxSet> ReadSyntax(List<MarkdownBlock> section, string source)
    {
        var sets = new List<SyntaxSet>();
        foreach (var (heading, body) in Subsections(section, source))
        {
            var code = body.FirstOrDefault(b => b.Kind == BlockKind.Code)
                ?? throw new HelpFormatException(source, heading.Line, $"syntax '{heading.Text}' has no code block");
            bool isDefault = heading.Text.EndsWith(" (Default)", StringComparison.Ordinal);
            string name = isDefault ? heading.Text[..^" (Default)".Length] : heading.Text;
            sets.Add(new SyntaxSet(name, isDefault, code.Text));
        }

        return sets;
    }

    private static List<HelpExample> ReadExamples(List<MarkdownBlock> section, string source)
    {
        var examples = new List<HelpExample>();
        foreach (var (heading, body) in Subsections(section, source))
        {
            var code = string.Join("\n\n", body.Where(b => b.Kind == BlockKind.Code).Select(b => b.Text));
            if (code.Length == 0)
            {
                throw new HelpFormatException(source, heading.Line, $"example '{heading.Text}' has no code block");
            }

            examples.Add(new HelpExample(heading.Text, code, Paragraphs(body)));
        }

        return examples;
    }

    private static (List<HelpParameter>, bool) ReadParameters(List<MarkdownBlock> section, string source)
    {
        var parameters = new List<HelpParameter>();
        bool common = false;
        foreach (var (heading, body) in Subsections(section, source))
        {
            if (heading.Text == "CommonParameters")
            {
                common = true;
                continue;
            }

            if (!heading.Text.StartsWith('-'))
            {
                throw new HelpFormatException(source, heading.Line, $"parameter heading '{heading.Text}' must read '### -Name'");
            }

            var blocks = body.Where(b => b is { Kind: BlockKind.Code, Language: "yaml" })
                .Select(b => ReadParameterBlock(b, source)).ToList();
            if (blocks.Count == 0)
            {
                throw new HelpFormatException(source, heading.Line, $"parameter '{heading.Text}' has no ```yaml block");
            }

            parameters.Add(new HelpParameter(heading.Text[1..], Paragraphs(body), blocks));
        }

        return (parameters, common);
    }

    private static ParameterBlock ReadParameterBlock(MarkdownBlock yaml, string source)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in yaml.Text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpFormatException(source, yaml.Line, $"yaml line '{line}' is not 'Key: value'");
            }

            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        string Value(string key) => values.TryGetValue(key, out var v)
            ? v
            : throw new HelpFormatException(source, yaml.Line, $"the parameter block lacks '{key}:'");

        static List<string> List(string text) => text.Length == 0 || text == "(All)"
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        string position = Value("Position");
        return new ParameterBlock(
            Value("Type"),
            List(Value("Parameter Sets")),
            List(Value("Aliases")),
            bool.Parse(Value("Required")),
            position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? null : int.Parse(position, CultureInfo.InvariantCulture),
            Value("Default value"),
            Value("Accept pipeline input"),
            bool.Parse(Value("Accept wildcard characters")));
    }

    private static List<HelpTypeEntry> ReadTypeEntries(List<MarkdownBlock> section, string source) =>
        Subsections(section, source).Select(s => new HelpTypeEntry(s.Heading.Text, Paragraphs(s.Body))).ToList();

    private static List<HelpLink> ReadLinks(List<MarkdownBlock> section) =>
        section.Where(b => b.Kind == BlockKind.Paragraph)
            .SelectMany(b => LinkPattern().Matches(b.Text))
            .Select(m => new HelpLink(m.Groups["text"].Value, m.Groups["uri"].Value))
            .ToList();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)")]
    private static partial Regex LinkPattern();
}
