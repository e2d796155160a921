using System;
using System.IO;
using System.Linq;
using SriovPS.Build;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Build;

public class ManifestTests
{
    private static readonly string Manifest = File.ReadAllText(Path.Combine(Repository.ModuleOutput, "SriovPS.psd1"));

    [Fact]
    public void LaidOutManifest_ExportsExactlyTheCompiledCmdlets()
    {
        var compiled = PowerShellMetadata.Cmdlets.Select(c => c.Name).Order(StringComparer.Ordinal);

        Assert.Equal(compiled, ModuleManifest.ReadCmdlets(Manifest).Order(StringComparer.Ordinal));
        Assert.Contains("Get-SriovPf", compiled);
    }

    [Fact]
    public void LaidOutManifest_CarriesTheVersionOfDirectoryBuildProps()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", Repository.DeclaredVersion);
        Assert.Equal(Repository.DeclaredVersion, ModuleManifest.ReadVersion(Manifest));
    }

    [Fact]
    public void CompiledAssembly_CarriesTheSameVersion()
    {
        var version = System.Reflection.AssemblyName.GetAssemblyName(Repository.ModuleAssembly).Version!;

        Assert.Equal(Repository.DeclaredVersion + ".0", version.ToString());
    }

    [Theory]
    [InlineData(@"RootModule\s*=\s*'SriovPS.dll'")]
    [InlineData(@"GUID\s*=\s*'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'")]
    [InlineData(@"CompatiblePSEditions\s*=\s*@\('Core'\)")]
    [InlineData(@"PowerShellVersion\s*=\s*'7.4'")]
    [InlineData(@"FormatsToProcess\s*=\s*@\('SriovPS.Format.ps1xml'\)")]
    [InlineData(@"TypesToProcess\s*=\s*@\('SriovPS.Types.ps1xml'\)")]
    [InlineData(@"RequiredAssemblies\s*=\s*@\('SriovPS.Native.dll', 'SriovPS.Core.dll'\)")]
    [InlineData(@"FunctionsToExport\s*=\s*@\(\)")]
    [InlineData(@"AliasesToExport\s*=\s*@\(\)")]
    [InlineData(@"PSData\s*=\s*@\{[^}]*Tags\s*=\s*@\('SR-IOV'[^}]*ProjectUri\s*=\s*'https://[^}]*LicenseUri\s*=\s*'https://[^}]*ReleaseNotes\s*=\s*'.+'")]
    public void LaidOutManifest_DeclaresWhatImportModuleNeeds(string pattern)
    {
        Assert.Matches(pattern, Manifest);
    }

    [Fact]
    public void EveryFileTheManifestNames_IsLaidOut()
    {
        foreach (var file in new[] { "SriovPS.dll", "SriovPS.Native.dll", "SriovPS.Core.dll", "SriovPS.Format.ps1xml", "SriovPS.Types.ps1xml", "en-US/SriovPS.dll-Help.xml", "en-US/about_SriovPS.help.txt" })
        {
            Assert.True(File.Exists(Path.Combine(Repository.ModuleOutput, file)), $"{file} is missing from out/SriovPS");
        }
    }

    [Fact]
    public void Stamp_ReplacesVersionAndCmdletsAndKeepsEverythingElse()
    {
        const string template = "@{\n    # keep me\n    ModuleVersion   = '0.0.0'\n    CmdletsToExport = @()\n    Other = 'x'\n}\n";

        string stamped = ModuleManifest.Stamp(template, "1.2.3", ["Set-B", "Get-A"]);

        Assert.Equal(
            "@{\n    # keep me\n    ModuleVersion   = '1.2.3'\n    CmdletsToExport = @(\n        'Get-A'\n        'Set-B'\n    )\n    Other = 'x'\n}\n",
            stamped);
        Assert.Equal(["Get-A", "Set-B"], ModuleManifest.ReadCmdlets(stamped));
    }

    [Theory]
    [InlineData("@{ }", "1.0.0")]
    [InlineData("ModuleVersion = '0'\nModuleVersion = '0'\nCmdletsToExport = @()", "1.0.0")]
    [InlineData("ModuleVersion = '0'\nCmdletsToExport = @()", "1.0")]
    [InlineData("ModuleVersion = '0'\nCmdletsToExport = @()", "1.0.0; Remove-Item /")]
    public void Stamp_RefusesATemplateOrVersionItCannotStampExactly(string template, string version)
    {
        Assert.Throws<FormatException>(() => ModuleManifest.Stamp(template, version, ["Get-A"]));
    }
}
