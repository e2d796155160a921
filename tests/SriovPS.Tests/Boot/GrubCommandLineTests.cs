using SriovPS.Boot;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Boot;

/// <summary>
/// The kernel words put into /etc/default/grub as the shell reads it: every other word, quote, comment
/// and line kept byte for byte, contrary words dropped where they are written, nothing changed twice.
/// </summary>
public sealed class GrubCommandLineTests
{
    private static readonly KernelWordRequest Intel = new(IommuVendor.Intel, []);
    private static readonly KernelWordRequest Amd = new(IommuVendor.Amd, []);

    // Debian's file as installed, with its comments.
    private const string DebianDefault =
        "# If you change this file, run 'update-grub' afterwards to update\n" +
        "# /boot/grub/grub.cfg.\n" +
        "\n" +
        "GRUB_DEFAULT=0\n" +
        "GRUB_TIMEOUT=5\n" +
        "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n" +
        "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n" +
        "GRUB_CMDLINE_LINUX=\"\"\n" +
        "\n" +
        "# Uncomment to disable graphical terminal\n" +
        "#GRUB_TERMINAL=console\n";

    [Fact]
    public void Intel_AddsBothWordsInsideTheDoubleQuotes_AndKeepsEveryOtherByte()
    {
        var edit = GrubCommandLine.Plan(DebianDefault, Intel);

        Assert.Equal(DebianDefault.Replace("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""), edit.NewText);
        Assert.Equal(["intel_iommu=on", "iommu=pt"], edit.Added);
        Assert.Empty(edit.Removed);
    }

    [Fact]
    public void Amd_AddsOnlyIommuPt()
    {
        var edit = GrubCommandLine.Plan(DebianDefault, Amd);

        Assert.Contains("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n", edit.NewText);
        Assert.Equal(["iommu=pt"], edit.Added);
    }

    [Fact]
    public void SingleQuotes_AreKept()
    {
        var edit = GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n", Intel);

        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash intel_iommu=on iommu=pt'\n", edit.NewText);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n")]
    [InlineData("  export GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"   # the usual\n", "  export GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"   # the usual\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash intel_iommu=on iommu=pt'\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"a \\\"b c\\\" d\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"a \\\"b c\\\" d intel_iommu=on iommu=pt\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\n", "GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\" intel_iommu=on iommu=pt\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n  splash\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n  splash intel_iommu=on iommu=pt\"\n")]
    public void OddQuoting_IsKeptAndExtendedAsTheShellReadsIt(string before, string after)
    {
        var edit = GrubCommandLine.Plan(before, Intel);

        Assert.Equal(after, edit.NewText);
        // What the shell makes of the result ends with the two words.
        Assert.EndsWith("intel_iommu=on iommu=pt", GrubCommandLine.Read(edit.NewText)!.Text);
    }

    [Fact]
    public void CommentedOutAssignments_AreNotTheKey()
    {
        const string text = "#GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # intel_iommu=off here is a comment\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal("#GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\" # intel_iommu=off here is a comment\n", edit.NewText);
        Assert.Empty(edit.Removed);
    }

    [Fact]
    public void DuplicateKeys_TheLastWins_AndGetsTheWords()
    {
        const string text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        // The first line's iommu=pt is overwritten by the second, so the second needs it too.
        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"splash intel_iommu=on iommu=pt\"\n", edit.NewText);
    }

    [Fact]
    public void DuplicateKeys_ALaterOneBuildingOnTheFirst_KeepsTheWordsOfBoth()
    {
        const string text = "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash intel_iommu=on\"\n", edit.NewText);
        Assert.Equal(["intel_iommu=on"], edit.Added);
    }

    [Fact]
    public void AnExistingIntelIommuOff_IsDropped_AndSaidWithItsLine()
    {
        const string text = "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off splash\"\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal("GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on iommu=pt\"\n", edit.NewText);
        Assert.Equal(["intel_iommu=off (GRUB_CMDLINE_LINUX_DEFAULT, line 2: it turns VT-d off)"], edit.Removed);
    }

    [Fact]
    public void ContraryWordsInGrubCmdlineLinux_AreDroppedThere_AndWordsAlreadyThereAreNotRepeated()
    {
        const string text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"iommu=off intel_iommu=on console=ttyS0\"\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\nGRUB_CMDLINE_LINUX=\"intel_iommu=on console=ttyS0\"\n", edit.NewText);
        Assert.Equal(["iommu=pt"], edit.Added);
        Assert.Single(edit.Removed, r => r.StartsWith("iommu=off (GRUB_CMDLINE_LINUX, line 2", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OnAmd_IntelIommuOffIsNotContrary_ButAmdIommuOffIs()
    {
        var edit = GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=off amd_iommu=off\"\n", Amd);

        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=off iommu=pt\"\n", edit.NewText);
    }

    [Fact]
    public void TheOnlyWord_Contrary_IsReplaced_WithoutStrayBlanks()
    {
        var edit = GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=off\"\n", Intel);

        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n", edit.NewText);
    }

    [Fact]
    public void MissingKey_IsAddedAfterGrubCmdlineLinux()
    {
        const string text = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"console=ttyS0\"\nGRUB_TIMEOUT=5\n";

        var edit = GrubCommandLine.Plan(text, Intel);

        Assert.Equal("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"console=ttyS0\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\nGRUB_TIMEOUT=5\n", edit.NewText);
    }

    [Fact]
    public void MissingKeys_LineGoesAtTheEnd_EvenWithoutAFinalNewline()
    {
        var edit = GrubCommandLine.Plan("GRUB_DEFAULT=0", Amd);

        Assert.Equal("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\n", edit.NewText);
    }

    [Fact]
    public void MaxVfs_IsAdded_AndAnotherCountOfTheSameDriverReplaced()
    {
        var request = new KernelWordRequest(IommuVendor.Intel, [ModuleMaxVfs.Parse("igb=7")]);

        var edit = GrubCommandLine.Plan("GRUB_CMDLINE_LINUX=\"igb.max_vfs=4\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n", request);

        Assert.Equal("GRUB_CMDLINE_LINUX=\"\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt igb.max_vfs=7\"\n", edit.NewText);
        Assert.Equal(["igb.max_vfs=7"], edit.Added);
    }

    [Fact]
    public void ASecondPlan_OfTheResult_ChangesNothing()
    {
        var request = new KernelWordRequest(IommuVendor.Intel, [ModuleMaxVfs.Parse("ixgbe=63")]);
        var first = GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT='quiet iommu=off'\n", request);

        var second = GrubCommandLine.Plan(first.NewText, request);

        Assert.True(first.Changes);
        Assert.False(second.Changes);
        Assert.Equal(first.NewText, second.NewText);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT='quiet\n")]
    public void AnUnclosedQuote_IsUneditable(string text)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));

        Assert.Equal(ErrorCatalog.GrubDefaultsUneditable, e.Id);
        Assert.Contains("line 1 is never closed", e.Message);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=$(cat /etc/kernel-options)\n", 1)]
    [InlineData("GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"`cat /etc/opts` quiet\"\n", 2)]
    public void ACommandSubstitutionInTheKeys_IsUneditable(string text, int line)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));

        Assert.Contains($"on line {line} of /etc/default/grub runs a command", e.Message);
    }

    [Theory]
    [InlineData("OPTS=\"intel_iommu=off\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet $OPTS\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_\"iommu=off\n")]
    public void AContraryWordThatCannotBeRemovedAlone_IsRefused(string text)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));

        Assert.Contains("intel_iommu=off is on the kernel command line", e.Message);
    }

    [Theory]
    [InlineData("igb")]
    [InlineData("igb=")]
    [InlineData("=7")]
    [InlineData("igb=-1")]
    [InlineData("igb=70000")]
    [InlineData("ig b=7")]
    public void MaxVfs_NotDriverEqualsCount_IsInvalid(string text)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => ModuleMaxVfs.Parse(text));

        Assert.Equal(ErrorCatalog.InvalidMaxVfs, e.Id);
    }

    [Fact]
    public void MaxVfs_DriverNamesAreReadAsTheKernelReadsThem()
    {
        Assert.Equal("mlx4_core.max_vfs=8", ModuleMaxVfs.Parse(" mlx4-core = 8 ").Word);
    }

    [Theory]
    [InlineData("igb.max_vfs=7,7,7,7", false)]
    [InlineData("igb.max_vfs=7,4", true)]
    public void MaxVfs_APerPortListOfTheSameCount_IsKept_AnotherCountReplaced(string word, bool replaced)
    {
        var request = new KernelWordRequest(IommuVendor.Amd, [ModuleMaxVfs.Parse("igb=7")]);

        var edit = GrubCommandLine.Plan($"GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt {word}\"\n", request);

        Assert.Equal(replaced ? "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt igb.max_vfs=7\"\n" : $"GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt {word}\"\n", edit.NewText);
    }

    [Theory]
    [InlineData("GRUB_TIMEOUT=5; GRUB_CMDLINE_LINUX_DEFAULT=\"quiet nomodeset\"\n", 1)]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nif [ -d /sys/firmware/efi ]; then GRUB_CMDLINE_LINUX_DEFAULT=\"efi\"; fi\n", 2)]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT+=\" intel_iommu=off\"\n", 2)]
    public void AKeySetWhereThisReadingDoesNotSeeIt_IsUneditable(string text, int line)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));

        Assert.Contains($"is set on line {line} of /etc/default/grub in a way SriovPS does not edit", e.Message);
    }

    [Fact]
    public void DosLineEnds_AreUneditable()
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\r\n", Intel));

        Assert.Contains("DOS line ends", e.Message);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\\ intel_iommu=off\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX_DEFAULT=quiet\\ intel_iommu=off\n")]
    public void AContraryWordJoinedByAnEscapedBlank_IsNotCutOut(string text)
    {
        SriovAssert.Throws(SriovErrorCategory.InvalidData, () => GrubCommandLine.Plan(text, Intel));
    }
}
