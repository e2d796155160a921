using System.Collections.Generic;
using System.Linq;

namespace SriovPS.Build.Help;

/// <summary>One cmdlet's help page as PlatyPS markdown describes it.</summary>
internal sealed record HelpDocument(
    string CommandName,
    IReadOnlyDictionary<string, string> FrontMatter,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<SyntaxSet> Syntax,
    IReadOnlyList<string> Description,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<HelpParameter> Parameters,
    bool HasCommonParameters,
    IReadOnlyList<HelpTypeEntry> Inputs,
    IReadOnlyList<HelpTypeEntry> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<HelpLink> RelatedLinks);

internal sealed record SyntaxSet(string Name, bool IsDefault, string Code);

internal sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record HelpParameter(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterBlock> Blocks);

/// <summary>
/// One ```yaml block of a parameter: its behaviour in the sets it lists. A parameter that behaves
/// differently per set has one block per behaviour, as PlatyPS writes it.
/// </summary>
internal sealed record ParameterBlock(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    bool Required,
    int? Position,
    string DefaultValue,
    string PipelineInput,
    bool AcceptsWildcards)
{
    /// <summary>True when the block says "Parameter Sets: (All)".</summary>
    public bool AllSets => ParameterSets.Count == 0;

    public bool AppliesTo(string setName) => AllSets || ParameterSets.Contains(setName);
}

internal sealed record HelpTypeEntry(string TypeName, IReadOnlyList<string> Description);

internal sealed record HelpLink(string Text, string Uri);
