using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Build;

/// <summary>
/// The module manifest: the source <c>SriovPS.psd1</c> holds everything written by hand; the build
/// stamps ModuleVersion (from Directory.Build.props) and CmdletsToExport (from the compiled cmdlets).
/// </summary>
internal static partial class ModuleManifest
{
    public static string Stamp(string template, string version, IEnumerable<string> cmdletNames)
    {
        if (!VersionPattern().IsMatch(version))
        {
            throw new FormatException($"'{version}' is not a module version (major.minor.patch).");
        }

        string stamped = ReplaceSingle(template, ModuleVersionLine(), m => $"{m.Groups["prefix"].Value}'{version}'");
        return ReplaceSingle(stamped, CmdletsLine(), m =>
        {
            string indent = m.Groups["indent"].Value;
            var list = new StringBuilder().Append(m.Groups["prefix"].Value).Append("@(");
            foreach (var name in cmdletNames.Order(StringComparer.Ordinal))
            {
                list.Append('\n').Append(indent).Append("    '").Append(name).Append('\'');
            }

            return list.Append('\n').Append(indent).Append(')').ToString();
        });
    }

    /// <summary>The ModuleVersion of a manifest.</summary>
    public static string ReadVersion(string manifest) =>
        SingleMatch(manifest, ModuleVersionValue()).Groups["version"].Value;

    /// <summary>The names in a manifest's CmdletsToExport array.</summary>
    public static IReadOnlyList<string> ReadCmdlets(string manifest) =>
        QuotedName().Matches(SingleMatch(manifest, CmdletsArray()).Groups["items"].Value)
            .Select(m => m.Groups["name"].Value)
            .ToList();

    private static string ReplaceSingle(string text, Regex pattern, MatchEvaluator replacement)
    {
        SingleMatch(text, pattern);
        return pattern.Replace(text, replacement);
    }

    private static Match SingleMatch(string text, Regex pattern)
    {
        var matches = pattern.Matches(text);
        return matches.Count == 1
            ? matches[0]
            : throw new FormatException($"The manifest must hold exactly one line matching {pattern}; it holds {matches.Count}.");
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^(?<prefix>[ \t]*ModuleVersion\s*=\s*).*$", RegexOptions.Multiline)]
    private static partial Regex ModuleVersionLine();

    [GeneratedRegex(@"^(?<prefix>(?<indent>[ \t]*)CmdletsToExport\s*=\s*).*$", RegexOptions.Multiline)]
    private static partial Regex CmdletsLine();

    [GeneratedRegex(@"^[ \t]*ModuleVersion\s*=\s*'(?<version>[^']*)'", RegexOptions.Multiline)]
    private static partial Regex ModuleVersionValue();

    [GeneratedRegex(@"^[ \t]*CmdletsToExport\s*=\s*@\((?<items>[^)]*)\)", RegexOptions.Multiline)]
    private static partial Regex CmdletsArray();

    [GeneratedRegex(@"'(?<name>[^']+)'")]
    private static partial Regex QuotedName();
}
