using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SriovPS.Build.Help;

/// <summary>
/// Writes help pages as MAML, the XML that Get-Help reads from <c>en-US/&lt;Assembly&gt;.dll-Help.xml</c>,
/// in the shape PlatyPS gives it.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToMaml(IEnumerable<HelpDocument> documents) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                documents.OrderBy(d => d.CommandName, StringComparer.Ordinal).Select(CommandElement)));

    public static void Write(XDocument maml, string path)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = XmlWriter.Create(path, settings);
        maml.Save(writer);
    }

    internal static XElement CommandElement(HelpDocument doc)
    {
        int dash = doc.CommandName.IndexOf('-');
        if (dash <= 0)
        {
            throw new HelpFormatException(doc.CommandName, 1, "the command name must read Verb-Noun");
        }

        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", doc.CommandName),
                new XElement(Command + "verb", doc.CommandName[..dash]),
                new XElement(Command + "noun", doc.CommandName[(dash + 1)..]),
                Description(doc.Synopsis)),
            Description(doc.Description),
            new XElement(Command + "syntax", doc.Syntax.Select(set => SyntaxItem(doc, set))),
            new XElement(Command + "parameters", doc.Parameters.Select(p => Parameter(p, p.Blocks[0], inSyntax: false))),
            new XElement(Command + "inputTypes", doc.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", doc.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(doc.Notes))),
            new XElement(Command + "examples", doc.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", doc.RelatedLinks.Select(link =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", link.Text),
                    new XElement(Maml + "uri", OnlineUri(link.Uri))))));
    }

    // Get-Help -Online opens the first link's URI; a page-relative one (Get-SriovVf.md) means nothing
    // outside the repository, so only web addresses are kept and the link stays as its text.
    private static string? OnlineUri(string uri) =>
        System.Uri.TryCreate(uri, System.UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? uri : null;

    private static XElement SyntaxItem(HelpDocument doc, SyntaxSet set)
    {
        // Positional parameters first, in position order, as PowerShell prints its own syntax.
        var members = doc.Parameters
            .Select(p => (Parameter: p, Block: p.Blocks.FirstOrDefault(b => b.AppliesTo(set.Name))))
            .Where(m => m.Block is not null)
            .OrderBy(m => m.Block!.Position ?? int.MaxValue)
            .Select(m => Parameter(m.Parameter, m.Block!, inSyntax: true));
        return new XElement(Command + "syntaxItem", new XElement(Maml + "name", doc.CommandName), members);
    }

    private static XElement Parameter(HelpParameter parameter, ParameterBlock block, bool inSyntax)
    {
        bool isSwitch = block.Type == "SwitchParameter";
        var element = new XElement(Command + "parameter",
            new XAttribute("required", Bool(block.Required)),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", Bool(block.AcceptsWildcards)),
            new XAttribute("pipelineInput", block.PipelineInput),
            new XAttribute("position", block.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", block.Aliases.Count == 0 ? "none" : string.Join(", ", block.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description));

        // A switch takes no value: in a syntax line a value element would print "-Force <SwitchParameter>".
        if (!(isSwitch && inSyntax))
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", Bool(!isSwitch)),
                new XAttribute("variableLength", "false"),
                block.Type));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", block.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", block.DefaultValue));
        return element;
    }

    private static XElement TypeEntry(string kind, HelpTypeEntry entry) =>
        new(Command + kind,
            new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName)),
            Description(entry.Description));

    private static XElement Example(HelpExample example) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paras(example.Remarks)));

    private static XElement Description(IReadOnlyList<string> paragraphs) =>
        new(Maml + "description", Paras(paragraphs));

    private static IEnumerable<XElement> Paras(IReadOnlyList<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    private static string Bool(bool value) => value ? "true" : "false";
}
