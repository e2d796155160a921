using System.IO;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>The one piece of code that writes the module's udev rules file, for VF counts and VF drivers alike.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UdevRulesFileTests
{
    private const string Count = "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"3\"";
    private const string OtherPf = "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"7\"";

    private static UdevRulesFile Rules(HostTree tree) => new(new HostSession(HostContext.FromRoot(tree.Root), new HostReport()));

    [Fact]
    public void APreparedStep_WritesTheTextTheFileHasWhenItIsMade_AndItsUndoPutsTheOldTextBack()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(UdevRulesFile.HostPath, "# mine\n");
        var rules = Rules(tree);
        var step = rules.Step("create 3 VFs", (text, _) => UdevVfRules.WithCount(text, "0000:04:00.0", 3, null), prepareFirst: true, [], "live", "eno49");

        // Another session adds its own PF's line between the question and the write.
        tree.WriteFile(UdevRulesFile.HostPath, "# mine\n" + OtherPf + "\n");
        var asker = new ScriptedAsker();
        using (var prepared = step.Prepare!())
        {
            step.Apply(new StepContext(asker, default, prepared));
        }

        Assert.Equal("# mine\n" + OtherPf + "\n" + Count + "\n", File.ReadAllText(tree.PathOf(UdevRulesFile.HostPath)));
        Assert.Equal("# mine\n" + OtherPf + "\n", File.ReadAllText(tree.PathOf(UdevRulesFile.HostPath + ".sriovps.bak")));
        Assert.Equal([$"Wrote {UdevRulesFile.HostPath} (a previous version is kept as {UdevRulesFile.HostPath}.sriovps.bak)."], asker.Told.Notes);

        step.Undo!(PlanDriver.Context());

        Assert.Equal("# mine\n" + OtherPf + "\n", File.ReadAllText(tree.PathOf(UdevRulesFile.HostPath)));
    }

    [Fact]
    public void AStepThatLeavesNothingOfTheModules_RemovesTheFile_AndItsUndoWritesItAgain()
    {
        using var tree = HostTree.Empty();
        string text = UdevVfRules.WithCount(null, "0000:04:00.0", 3, null);
        tree.WriteFile(UdevRulesFile.HostPath, text);
        var step = Rules(tree).Step("remove the line", (current, _) => UdevVfRules.Without(current, "0000:04:00.0"), prepareFirst: false, [], "live", "eno49");
        var asker = new ScriptedAsker();

        Assert.Null(step.Prepare!());
        step.Apply(new StepContext(asker, default, null));

        Assert.False(File.Exists(tree.PathOf(UdevRulesFile.HostPath)));
        Assert.StartsWith($"Removed {UdevRulesFile.HostPath}, which had no other line", Assert.Single(asker.Told.Notes));

        step.Undo!(PlanDriver.Context());

        Assert.Equal(text, File.ReadAllText(tree.PathOf(UdevRulesFile.HostPath)));
    }

    [Fact]
    public void AFileThatCannotBeWritten_IsRefusedWhenPrepared_BeforeAnyOtherStepIsMade()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(UdevRulesFile.HostPath, "# mine\n");
        File.SetUnixFileMode(tree.PathOf(UdevRulesFile.HostPath), UnixFileMode.UserRead);
        var step = Rules(tree).Step("create 3 VFs", (text, _) => UdevVfRules.WithCount(text, "0000:04:00.0", 3, null), prepareFirst: true, [], "live", "eno49");

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => step.Prepare!());

        Assert.Equal(ErrorCatalog.ConfigFileReadOnly, error.Id);
        Assert.Equal("# mine\n", File.ReadAllText(tree.PathOf(UdevRulesFile.HostPath)));
    }
}
