using System;
using SriovPS.Boot;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Boot;

/// <summary>
/// Blocks of a sourced file whose assignments the shell may not apply, and grub files refused for
/// them or for an edit that would not read back as planned.
/// </summary>
public sealed class ShellStructureTests
{
    private static readonly KernelWordRequest Intel = new(IommuVendor.Intel, []);

    [Theory]
    [InlineData("if true; then\nX=1\nfi\n", "inside 'if'")]
    [InlineData("while false; do\nX=1\ndone\n", "inside 'while'")]
    [InlineData("for a in if fi; do\nX=1\ndone\n", "inside 'for'")]
    [InlineData("case $a in\n  a) X=1 ;;\n  (b|c) X=2 ;;\nesac\n", "inside 'case'")]
    [InlineData("f() {\nX=1\n}\n", "inside the function f")]
    [InlineData("function g\n{\nX=1\n}\n", "inside the function g")]
    [InlineData("{\nX=1\n}\n", "inside a { … } group")]
    [InlineData("(\nX=1\n)\n", "inside a ( … ) subshell")]
    [InlineData("cat <<-'EOF'\n\tX=1\n\tEOF\n", "inside a here-document")]
    public void Blocks_FindsTheOuterBlock(string text, string description)
    {
        var block = Assert.Single(ShellStructure.Blocks(text));

        Assert.Contains(description, block.Description, StringComparison.Ordinal);
        Assert.InRange(text.IndexOf("X=1", StringComparison.Ordinal), block.Start, block.End - 1);
    }

    [Theory]
    [InlineData("A=\"fi\" B='done' # if then\nC=$(echo \"(\" ')')\nD=`echo {`\nE=$((1 + (2)))\ncat <<< \"if\"\n")]
    [InlineData("GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\nGRUB_CMDLINE_LINUX=\"\"\n")]
    public void Blocks_IgnoresKeywordsInQuotesCommentsAndSubstitutions(string text)
    {
        Assert.Empty(ShellStructure.Blocks(text));
    }

    [Theory]
    [InlineData("if true; then\nX=1\n", "'if' on line 1 is never closed")]
    [InlineData("X=1\nfi\n", "line 2 closes a block that is not open")]
    [InlineData("cat <<EOF\nX=1\n", "never ends")]
    public void Blocks_RefusesWhatTheShellCannotRead(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => ShellStructure.Blocks(text));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=quiet\\", "ends the file with a backslash")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nif [ -d /sys/firmware/efi ]; then\n  GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\nfi\n", "line 3 of /etc/default/grub inside 'if' (from line 2)")]
    [InlineData("setup() {\n  GRUB_CMDLINE_LINUX=\"\"\n}\n", "inside the function setup")]
    [InlineData("cat >/dev/null <<EOF\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nEOF\n", "inside a here-document")]
    public void Grub_KeyWhereTheShellMayNotApplyIt_IsRefused(string text, string message)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));

        Assert.Equal(ErrorCatalog.GrubDefaultsUneditable, e.Id);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grub_BlocksThatSetOtherVariables_DoNotStopTheEdit()
    {
        const string text = "if true; then\n  GRUB_TIMEOUT=5\nfi\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal(text.Replace("\"quiet\"", "\"quiet intel_iommu=on iommu=pt\""), edit.NewText);
    }

    [Fact]
    public void Grub_ANoBreakSpaceIsPartOfAWord_AsTheShellSplitsOnlyOnBlanks()
    {
        // "quiet\u00a0intel_iommu=off" is one word to the shell (and the kernel): not a contrary word to drop.
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\u00a0intel_iommu=off\"\n", Intel));

        Assert.Equal(ErrorCatalog.GrubDefaultsUneditable, e.Id);
        Assert.Contains("intel_iommu=off is on the kernel command line", e.Message, StringComparison.Ordinal);
    }
}
