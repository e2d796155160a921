using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Architecture;

public class LayeringTests
{
    // The sample host tree holds sysfs's cyclic links; following them would never end.
    private static readonly EnumerationOptions WithoutFollowingLinks =
        new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };

    [Theory]
    [InlineData("SriovPS.Native.dll")]
    [InlineData("SriovPS.Core.dll")]
    public void NativeAndCore_NeverReferencePowerShell(string assembly)
    {
        var references = AssemblyReferences(Path.Combine(Repository.ModuleOutput, assembly));

        Assert.NotEmpty(references);
        Assert.DoesNotContain("System.Management.Automation", references);
    }

    [Fact]
    public void Core_ReferencesNoModuleAssemblyButNative()
    {
        var references = AssemblyReferences(Path.Combine(Repository.ModuleOutput, "SriovPS.Core.dll"));

        Assert.Contains("SriovPS.Native", references);
        Assert.DoesNotContain("SriovPS", references);
    }

    [Fact]
    public void Cmdlets_ReferencePowerShell()
    {
        // The check above would pass vacuously if the reader could not see this reference.
        Assert.Contains("System.Management.Automation", AssemblyReferences(Repository.ModuleAssembly));
    }

    [Fact]
    public void Cmdlets_NameNoTypeOfTheNativeLayer()
    {
        // Every type the cmdlet assembly uses, a member's signature included, is a TypeReference in its metadata.
        using var stream = File.OpenRead(Repository.ModuleAssembly);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var referenced = reader.TypeReferences.Select(reader.GetTypeReference)
            .Where(t => t.ResolutionScope.Kind == HandleKind.AssemblyReference)
            .Select(t => (Assembly: reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)t.ResolutionScope).Name),
                Type: $"{reader.GetString(t.Namespace)}.{reader.GetString(t.Name)}"))
            .ToList();

        Assert.Contains(("SriovPS.Core", "SriovPS.Hosting.HostSession"), referenced);
        Assert.Empty(referenced.Where(r => r.Assembly == "SriovPS.Native").Select(r => r.Type));
    }

    [Fact]
    public void NoSourceOfTheCmdlets_NamesTheNativeLayer()
    {
        var naming = Directory.GetFiles(Path.Combine(Repository.Root, "src", "SriovPS"), "*.cs", WithoutFollowingLinks)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(p => File.ReadAllText(p).Contains("Native", System.StringComparison.Ordinal))
            .Select(p => Path.GetFileName(p));

        Assert.Empty(naming);
    }

    [Fact]
    public void ModuleOutput_ShipsNoPowerShellAssembly()
    {
        var files = Directory.GetFiles(Repository.ModuleOutput, "*.dll", WithoutFollowingLinks).Select(Path.GetFileName);

        Assert.Equal(new[] { "SriovPS.Core.dll", "SriovPS.Native.dll", "SriovPS.dll" }, files.Order(System.StringComparer.Ordinal));
    }

    [Fact]
    public void OnlyTheCmdletProject_ReferencesPowerShellStandard()
    {
        var projects = Directory.GetFiles(Repository.Root, "*.csproj", WithoutFollowingLinks)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(p => File.ReadAllText(p).Contains("PowerShellStandard.Library"))
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'));

        Assert.Equal(new[] { "src/SriovPS/SriovPS.csproj" }, projects);
    }

    [Fact]
    public void PowerShellStandard_IsCompileTimeOnly()
    {
        var project = File.ReadAllText(Path.Combine(Repository.Root, "src", "SriovPS", "SriovPS.csproj"));

        Assert.Matches("PowerShellStandard.Library\" Version=\"5.1.1\" PrivateAssets=\"all\"", project);
    }

    private static List<string> AssemblyReferences(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
    }
}
