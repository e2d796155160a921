using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Build.Help;
using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Native.Files;
using SriovPS.Snapshot;

namespace SriovPS.Build;

/// <summary>Assembles <c>out/SriovPS</c>: the folder <c>Import-Module</c> loads.</summary>
internal sealed class ModuleLayout(string repositoryRoot, string moduleBinDirectory, string outputDirectory, string version)
{
    public const string ModuleName = "SriovPS";
    public const string SampleHostName = "i350-4port";

    /// <summary>The sample host's file under the module: a snapshot archive, which holds no symbolic link.</summary>
    public const string SampleFile = "samples/" + SampleHostName + ".tar.gz";

    /// <summary>The name the sample snapshot carries, as its <c>/etc/hostname</c> said.</summary>
    public const string SampleComputerName = "i350-sample";

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

        WriteSample(
            Path.Combine(repositoryRoot, "tests", "fixtures", SampleHostName + ".hosttree"),
            Path.Combine(outputDirectory, SampleFile));
    }

    /// <summary>
    /// Writes the sample host as a snapshot archive: a materialized tree is full of symbolic links
    /// (sysfs's cycles among them) that packagers follow or refuse, while every command reads the archive as that host.
    /// </summary>
    public static void WriteSample(string manifest, string archive)
    {
        string tree = Path.Combine(Path.GetTempPath(), $"sriovps-sample-{Guid.NewGuid():N}");
        try
        {
            HostTreeManifest.Materialize(manifest, tree);
            Directory.CreateDirectory(Path.Combine(tree, "etc"));
            File.WriteAllText(Path.Combine(tree, "etc", "hostname"), SampleComputerName + "\n");
            var report = new HostReport();
            using var session = new HostSession(HostContext.FromRoot(tree), report);
            Directory.CreateDirectory(Path.GetDirectoryName(archive)!);
            // A copied tree is read from its files alone: no kernel and no libvirt is asked.
            var capture = HostSnapshotCapture.Take(session, LibvirtUri.System);
            if (report.Failures.Count > 0)
            {
                throw new InvalidOperationException($"The sample host '{manifest}' could not be read: {report.Failures[0].Message}");
            }

            // The build's scratch directory means nothing to a reader: the sample is named by its own name.
            for (int i = 0; i < capture.Unread.Count; i++)
            {
                capture.Unread[i] = capture.Unread[i].Replace(tree, SampleHostName, StringComparison.Ordinal);
            }

            capture.Write(archive, replace: false);

            // A sample holds no secrets: readable by whoever may load the module.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(archive, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
        finally
        {
            // Directory.Delete removes links without following them.
            if (Directory.Exists(tree))
            {
                Directory.Delete(tree, recursive: true);
            }
        }
    }

    public static IReadOnlyList<HelpDocument> ReadHelp(string repositoryRoot) =>
        Directory.GetFiles(Path.Combine(repositoryRoot, "docs", "help"), "*-*.md")
            .Order(StringComparer.Ordinal)
            .Select(PlatyPsMarkdown.ReadFile)
            .ToList();
}
