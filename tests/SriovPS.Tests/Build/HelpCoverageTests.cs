using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Build;
using SriovPS.Build.Help;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Build;

public class HelpCoverageTests
{
    private static readonly IReadOnlyList<HelpDocument> Docs = ModuleLayout.ReadHelp(Repository.Root);

    public static TheoryData<string> CompiledCmdlets()
    {
        var data = new TheoryData<string>();
        foreach (var cmdlet in PowerShellMetadata.Cmdlets)
        {
            data.Add(cmdlet.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CompiledCmdlets))]
    public void EveryExportedCmdlet_IsFullyDocumented(string name)
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == name);

        Assert.Empty(HelpCoverage.Problems(cmdlet, Docs.SingleOrDefault(d => d.CommandName == name)));
    }

    [Fact]
    public void EveryHelpPage_BelongsToACompiledCmdlet()
    {
        var compiled = PowerShellMetadata.Cmdlets.Select(c => c.Name).ToHashSet();

        Assert.All(Docs, doc => Assert.Contains(doc.CommandName, compiled));
    }

    [Fact]
    public void LaidOutMaml_HoldsOneCommandPerHelpPage()
    {
        var maml = XDocument.Load(Path.Combine(Repository.ModuleOutput, "en-US", "SriovPS.dll-Help.xml"));
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";

        var names = maml.Descendants(command + "details").Select(d => (string)d.Element(command + "name")!);

        Assert.Equal(Docs.Select(d => d.CommandName).Order(), names.Order());
    }

    [Fact]
    public void Coverage_ReportsAMissingPage()
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == "Get-SriovVf");

        Assert.Equal(["Get-SriovVf has no docs/help/Get-SriovVf.md"], HelpCoverage.Problems(cmdlet, null));
    }

    [Fact]
    public void Coverage_ReportsAnUndocumentedParameterAndTooFewExamples()
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == "Get-SriovVf");
        var doc = Docs.Single(d => d.CommandName == "Get-SriovVf");
        var doctored = doc with
        {
            Parameters = doc.Parameters.Where(p => p.Name != "Index").ToList(),
            Examples = doc.Examples.Take(1).ToList(),
        };

        var problems = HelpCoverage.Problems(cmdlet, doctored);

        Assert.Contains("Get-SriovVf: parameter -Index is not documented", problems);
        Assert.Contains("Get-SriovVf: has 1 examples, fewer than 2", problems);
    }

    [Fact]
    public void Coverage_ReportsADocumentedAttributeThatDiffersFromCode()
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == "Get-SriovPf");
        var doc = Docs.Single(d => d.CommandName == "Get-SriovPf");
        var name = doc.Parameters.Single(p => p.Name == "Name");
        var wrong = name with { Blocks = [name.Blocks[0] with { Type = "String", Position = null, PipelineInput = "False" }] };
        var doctored = doc with { Parameters = [wrong, new HelpParameter("Ghost", ["x"], name.Blocks)] };

        var problems = HelpCoverage.Problems(cmdlet, doctored);

        Assert.Contains("Get-SriovPf: -Name in ByName is documented as String, compiled as String[]", problems);
        Assert.Contains("Get-SriovPf: -Name in ByName is documented at position Named, compiled at 0", problems);
        Assert.Contains("Get-SriovPf: -Name in ByName documents pipeline input 'False', compiled 'True (ByPropertyName)'", problems);
        Assert.Contains("Get-SriovPf: documents -Ghost, which the cmdlet does not have", problems);
    }
}
