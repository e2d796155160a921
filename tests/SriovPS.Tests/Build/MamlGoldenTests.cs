using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Build.Help;
using Xunit;

namespace SriovPS.Tests.Build;

public class MamlGoldenTests
{
    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    [Fact]
    public void SamplePage_ConvertsToTheExpectedMaml_ElementByElement()
    {
        var actual = MamlWriter.ToMaml([PlatyPsMarkdown.ReadFile(Golden("Set-Sample.md"))]);
        var expected = XDocument.Load(Golden("Set-Sample.maml.xml"));

        AssertSameElement(expected.Root!, actual.Root!, "/");
    }

    [Fact]
    public void WrittenMaml_ReadsBackAsTheSameDocument()
    {
        var maml = MamlWriter.ToMaml([PlatyPsMarkdown.ReadFile(Golden("Set-Sample.md"))]);
        string path = Path.Combine(Path.GetTempPath(), $"sriovps-maml-{Guid.NewGuid():N}.xml");
        try
        {
            MamlWriter.Write(maml, path);
            var bytes = File.ReadAllBytes(path);

            Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte order mark");
            AssertSameElement(maml.Root!, XDocument.Load(path).Root!, "/");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("no front matter\n# Get-X\n", 1, "front matter")]
    [InlineData("---\nschema: 2.0.0\n---\n\n## SYNOPSIS\nx\n", 4, "must start with '# Verb-Noun'")]
    [InlineData("---\nschema: 2.0.0\n---\n# Get-X\n## SYNOPSIS\nx\n", 4, "'## SYNTAX' section is missing")]
    [InlineData("---\nschema: 2.0.0\n---\n# Get-X\n## SYNOPSIS\n```\nGet-X\n", 6, "never closed")]
    [InlineData("---\nschema: 2.0.0\n---\n# Get-X\n## SYNOPSIS\nx\n## SYNOPSIS\ny\n", 7, "appears twice")]
    public void MalformedPage_IsRejectedWithItsLine(string markdown, int line, string problem)
    {
        var error = Assert.Throws<HelpFormatException>(() => PlatyPsMarkdown.Parse(markdown, "Get-X.md"));

        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"Get-X.md:{line}: ", error.Message);
    }

    [Fact]
    public void ParameterBlockWithoutAKey_IsRejected()
    {
        string page = File.ReadAllText(Golden("Set-Sample.md")).Replace("Accept wildcard characters: True\n", "");

        var error = Assert.Throws<HelpFormatException>(() => PlatyPsMarkdown.Parse(page, "Set-Sample.md"));

        Assert.Contains("lacks 'Accept wildcard characters:'", error.Message);
    }

    private static void AssertSameElement(XElement expected, XElement actual, string path)
    {
        string here = $"{path}{expected.Name.LocalName}";
        Assert.True(expected.Name == actual.Name, $"{here}: expected element {expected.Name}, found {actual.Name}");

        var expectedAttributes = expected.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString()).ToList();
        var actualAttributes = actual.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString()).ToList();
        Assert.True(
            expectedAttributes.Select(a => (a.Name, a.Value)).SequenceEqual(actualAttributes.Select(a => (a.Name, a.Value))),
            $"{here}: attributes [{string.Join(", ", expectedAttributes)}] expected, [{string.Join(", ", actualAttributes)}] found");

        var expectedChildren = expected.Elements().ToList();
        var actualChildren = actual.Elements().ToList();
        if (expectedChildren.Count == 0)
        {
            Assert.True(actualChildren.Count == 0, $"{here}: expected no child elements, found {actualChildren.Count}");
            Assert.True(expected.Value == actual.Value, $"{here}: expected text '{expected.Value}', found '{actual.Value}'");
            return;
        }

        Assert.True(
            expectedChildren.Select(e => e.Name).SequenceEqual(actualChildren.Select(e => e.Name)),
            $"{here}: children [{string.Join(", ", expectedChildren.Select(e => e.Name.LocalName))}] expected, " +
            $"[{string.Join(", ", actualChildren.Select(e => e.Name.LocalName))}] found");
        for (int i = 0; i < expectedChildren.Count; i++)
        {
            AssertSameElement(expectedChildren[i], actualChildren[i], $"{here}[{i}]/");
        }
    }
}
