using System;
using System.Collections.Generic;
using System.Linq;

namespace SriovPS.Build.Help;

/// <summary>
/// What a help page lacks or gets wrong compared with the compiled cmdlet: every parameter
/// documented with the type, sets, position, pipeline input, aliases and wildcard support it has
/// in code; at least two examples; the syntax sets and output types the cmdlet declares.
/// </summary>
internal static class HelpCoverage
{
    public const int MinimumExamples = 2;
    private const string AllSets = "__AllParameterSets";

    public static List<string> Problems(CmdletMetadata cmdlet, HelpDocument? doc)
    {
        var problems = new List<string>();
        if (doc is null)
        {
            problems.Add($"{cmdlet.Name} has no docs/help/{cmdlet.Name}.md");
            return problems;
        }

        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add($"{cmdlet.Name}: {problem}");
            }
        }

        Check(doc.CommandName == cmdlet.Name, $"the page is titled '{doc.CommandName}'");
        Check(doc.Synopsis.Any(p => p.Trim().Length > 0), "SYNOPSIS is empty");
        Check(doc.Description.Any(p => p.Trim().Length > 0), "DESCRIPTION is empty");
        Check(doc.Examples.Count >= MinimumExamples, $"has {doc.Examples.Count} examples, fewer than {MinimumExamples}");
        Check(doc.HasCommonParameters, "PARAMETERS lacks '### CommonParameters'");
        foreach (var output in cmdlet.OutputTypes)
        {
            Check(doc.Outputs.Any(o => o.TypeName == output), $"OUTPUTS does not list {output}");
        }

        var compiledSets = cmdlet.Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(s => s != AllSets).Distinct().Order().ToList();
        if (compiledSets.Count == 0)
        {
            compiledSets.Add(AllSets);
        }

        Check(compiledSets.SequenceEqual(doc.Syntax.Select(s => s.Name).Order()),
            $"SYNTAX documents sets [{string.Join(", ", doc.Syntax.Select(s => s.Name))}], the cmdlet has [{string.Join(", ", compiledSets)}]");
        if (cmdlet.DefaultParameterSetName is { } defaultSet && compiledSets.Count > 1)
        {
            Check(doc.Syntax.Any(s => s.Name == defaultSet && s.IsDefault), $"SYNTAX does not mark '{defaultSet} (Default)'");
        }

        var documented = doc.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var parameter in cmdlet.Parameters)
        {
            if (!documented.TryGetValue(parameter.Name, out var help))
            {
                problems.Add($"{cmdlet.Name}: parameter -{parameter.Name} is not documented");
                continue;
            }

            Check(help.Description.Any(p => p.Trim().Length > 0), $"-{parameter.Name} has no description");
            foreach (var set in parameter.Sets)
            {
                var block = help.Blocks.FirstOrDefault(b => set.SetName == AllSets ? b.AllSets : b.AppliesTo(set.SetName));
                if (block is null)
                {
                    problems.Add($"{cmdlet.Name}: -{parameter.Name} is not documented for set {Display(set.SetName)}");
                    continue;
                }

                string where = $"-{parameter.Name} in {Display(set.SetName)}";
                Check(block.Type == parameter.TypeName, $"{where} is documented as {block.Type}, compiled as {parameter.TypeName}");
                Check(block.Required == set.Mandatory, $"{where} is documented Required: {block.Required}");
                Check(block.Position == set.Position, $"{where} is documented at position {block.Position?.ToString() ?? "Named"}, compiled at {set.Position?.ToString() ?? "Named"}");
                Check(block.PipelineInput == PipelineInput(set), $"{where} documents pipeline input '{block.PipelineInput}', compiled '{PipelineInput(set)}'");
                Check(block.AcceptsWildcards == parameter.SupportsWildcards, $"{where} documents wildcards {block.AcceptsWildcards}");
                Check(block.Aliases.Order().SequenceEqual(parameter.Aliases.Order()), $"{where} documents aliases [{string.Join(", ", block.Aliases)}]");
            }
        }

        var expected = cmdlet.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (cmdlet.SupportsShouldProcess)
        {
            expected.UnionWith(["WhatIf", "Confirm"]);
            Check(documented.ContainsKey("WhatIf") && documented.ContainsKey("Confirm"), "supports ShouldProcess but -WhatIf/-Confirm are not documented");
        }

        foreach (var extra in documented.Keys.Where(name => !expected.Contains(name)))
        {
            problems.Add($"{cmdlet.Name}: documents -{extra}, which the cmdlet does not have");
        }

        return problems;
    }

    /// <summary>PlatyPS's wording for how a parameter takes pipeline input.</summary>
    public static string PipelineInput(ParameterSetMetadata set) => (set.ValueFromPipeline, set.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static string Display(string set) => set == AllSets ? "(All)" : set;
}
