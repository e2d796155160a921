using SriovPS.Persistence;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>The udev rules editor: only the module's own lines change, one per PF, and a second run changes nothing.</summary>
public sealed class UdevVfRulesTests
{
    private const string Pf = "0000:04:00.0";
    private const string Line7 = "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\"";

    [Fact]
    public void WithCount_OnNoFile_WritesTheHeaderAndOneLine()
    {
        string text = UdevVfRules.WithCount(null, Pf, 7, null);

        Assert.StartsWith("# Written by SriovPS: Enable-SriovVf -Persist", text);
        Assert.EndsWith("\n" + Line7 + "\n", text);
        Assert.Equal(5, text.Split('\n').Length - 1);
    }

    [Fact]
    public void WithCount_SecondRun_IsByteIdentical()
    {
        string first = UdevVfRules.WithCount(null, Pf, 7, false);

        Assert.Equal(first, UdevVfRules.WithCount(first, Pf, 7, false));
        Assert.Equal(first, UdevVfRules.WithCount(first, Pf, 7, null));
    }

    [Fact]
    public void WithCount_ChangesOnlyThePfsLine_InPlace_KeepingEveryOtherLine()
    {
        string text =
            "# my own note\n" +
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNEL==\"eth9\", RUN+=\"/usr/local/bin/tune eth9\"\n" +
            Line7 + "\n" +
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"2\"\n" +
            "\n" +
            "# trailing comment without a newline";

        string updated = UdevVfRules.WithCount(text, Pf, 3, null);

        Assert.Equal(
            "# my own note\n" +
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNEL==\"eth9\", RUN+=\"/usr/local/bin/tune eth9\"\n" +
            Line7.Replace("\"7\"", "\"3\"") + "\n" +
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"2\"\n" +
            "\n" +
            "# trailing comment without a newline\n",
            updated);
    }

    [Fact]
    public void WithCount_AddsANewPfAtTheEnd_WithoutASecondHeader()
    {
        string one = UdevVfRules.WithCount(null, Pf, 7, null);

        string two = UdevVfRules.WithCount(one, "0000:04:00.1", 4, null);

        Assert.Equal(one + "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"4\"\n", two);
    }

    [Fact]
    public void WithCount_Autoprobe_ComesBeforeTheCount_AndIsKeptWhenNotGiven()
    {
        string off = UdevVfRules.WithCount(null, Pf, 7, false);
        Assert.Contains("KERNELS==\"0000:04:00.0\", ATTR{device/sriov_drivers_autoprobe}=\"0\", ATTR{device/sriov_numvfs}=\"7\"\n", off);

        string recount = UdevVfRules.WithCount(off, Pf, 5, null);
        Assert.Equal(new UdevVfRules.Entry(5, false), UdevVfRules.Find(recount, Pf));

        string on = UdevVfRules.WithCount(recount, Pf, 5, true);
        Assert.Equal(new UdevVfRules.Entry(5, true), UdevVfRules.Find(on, Pf));
    }

    [Fact]
    public void WithCount_CollapsesDuplicateLinesForOnePf()
    {
        string text = Line7 + "\n# between\n" + Line7.Replace("\"7\"", "\"2\"") + "\n";

        Assert.Equal(Line7.Replace("\"7\"", "\"4\"") + "\n# between\n", UdevVfRules.WithCount(text, Pf, 4, null));
    }

    [Fact]
    public void ALineOfAnotherForm_IsNeverTheModules()
    {
        // A different match, an extra key, or a CRLF ending: someone else's rule, kept as written.
        string[] foreign =
        [
            "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\"",
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\", RUN+=\"/bin/true\"",
            Line7 + "\r",
        ];
        foreach (var line in foreign)
        {
            Assert.Null(UdevVfRules.Find(line + "\n", Pf));
            Assert.Equal(line + "\n", UdevVfRules.Without(line + "\n", Pf));
        }
    }

    [Fact]
    public void Without_RemovesOnlyThatPfsLine()
    {
        string text = "# mine\n" + Line7 + "\nACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"2\"\n";

        Assert.Equal(
            "# mine\nACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"2\"\n",
            UdevVfRules.Without(text, Pf));
    }

    [Fact]
    public void Without_TheLastLine_LeavesNothingToKeep_WhenOnlyTheHeaderRemains()
    {
        Assert.Null(UdevVfRules.Without(UdevVfRules.WithCount(null, Pf, 7, null), Pf));
        Assert.Equal("# mine\n", UdevVfRules.Without("# mine\n" + Line7 + "\n", Pf));
    }
}
