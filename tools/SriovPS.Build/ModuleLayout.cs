using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Build.Help;
using SriovPS.Native.Files;

namespace SriovPS.Build;

/// <summary>Assembles <c>out/SriovPS</c>: the folder <c>Import-Module</c> loads.</summary>
internal sealed class ModuleLayout(string repositoryRoot, string moduleBinDirectory, string outputDirectory, string version)
{
    public const string ModuleName = "SriovPS";
    public const string SampleHostName = "i350-4port";

    /// <summary>What the module ships from the build output; nothing else is copied.</summary>
    /// <summary>The conceptual help topic, <c>Get-Help about_SriovPS</c>.</summary>
    public const string AboutTopic = "about_SriovPS.help.txt";

    public static readonly string[] ShippedFiles =
        ["SriovPS.dll", "SriovPS.Core.dll", "SriovPS.Native.dll", "SriovPS.Format.ps1xml", "SriovPS.Types.ps1xml", "SriovPS.Configuration.schema.json"];

    public void Run()
    {
        var missing = ShippedFiles.Where(f => !File.Exists(Path.Combine(moduleBinDirectory, f))).ToList();
        if (missing.Count > 0)
        {
            throw new FileNotFoundException($"The module build output '{moduleBinDirectory}' lacks {string.Join(", ", missing)}.");
        }

        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        Directory.CreateDirectory(outputDirectory);
        foreach (var file in ShippedFiles)
        {
            File.Copy(Path.Combine(moduleBinDirectory, file), Path.Combine(outputDirectory, file));
        }

        File.Copy(Path.Combine(repositoryRoot, "LICENSE"), Path.Combine(outputDirectory, "LICENSE"));

        var cmdlets = CmdletMetadata.Read(
            Path.Combine(outputDirectory, "SriovPS.dll"), PowerShellReference.Locate(repositoryRoot));
        string template = File.ReadAllText(Path.Combine(repositoryRoot, ModuleName + ".psd1"));
        File.WriteAllText(
            Path.Combine(outputDirectory, ModuleName + ".psd1"),
            ModuleManifest.Stamp(template, version, cmdlets.Select(c => c.Name)));

        MamlWriter.Write(
            MamlWriter.ToMaml(ReadHelp(repositoryRoot)),
            Path.Combine(outputDirectory, "en-US", ModuleName + ".dll-Help.xml"));
        File.Copy(
            Path.Combine(repositoryRoot, "docs", AboutTopic),
            Path.Combine(outputDirectory, "en-US", AboutTopic));

        HostTreeManifest.Materialize(
            Path.Combine(repositoryRoot, "tests", "fixtures", SampleHostName + ".hosttree"),
            Path.Combine(outputDirectory, "samples", SampleHostName));
    }

    public static IReadOnlyList<HelpDocument> ReadHelp(string repositoryRoot) =>
        Directory.GetFiles(Path.Combine(repositoryRoot, "docs", "help"), "*-*.md")
            .Order(StringComparer.Ordinal)
            .Select(PlatyPsMarkdown.ReadFile)
            .ToList();
}
