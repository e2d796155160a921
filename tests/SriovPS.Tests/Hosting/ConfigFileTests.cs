using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Hosting;

/// <summary>Configuration files replaced atomically on temporary roots: owner, mode and a backup kept; refusals leave the file as it was.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConfigFileTests
{
    private const string Rules = "/etc/udev/rules.d/70-sriovps.rules";

    [Fact]
    public void PrepareAndCommit_ANewFile_Writes0644_WithoutABackup()
    {
        using var tree = HostTree.Empty();
        var file = new ConfigFile(tree.Files, Rules);

        using (var prepared = file.Prepare("one\n"))
        {
            Assert.False(File.Exists(tree.PathOf(Rules)));
            prepared.Commit();
        }

        Assert.Equal("one\n", File.ReadAllText(tree.PathOf(Rules)));
        Assert.Equal(0, ReplacementFile.Stat(tree.PathOf(Rules), out _, out _, out uint mode));
        Assert.Equal(0b110_100_100u, mode & 0xFFF);
        Assert.False(File.Exists(tree.PathOf(Rules + ConfigFile.BackupSuffix)));
        AssertNoTemporaryFiles(tree);
    }

    [Fact]
    public void PrepareAndCommit_ANewFile_TakesTheModeGivenToTheConstructor()
    {
        using var tree = HostTree.Empty();
        var file = new ConfigFile(tree.Files, Rules, newFileMode: 0b110_000_000);

        using (var prepared = file.Prepare("secret\n"))
        {
            prepared.Commit();
        }

        Assert.Equal(0, ReplacementFile.Stat(tree.PathOf(Rules), out _, out _, out uint mode));
        Assert.Equal(0b110_000_000u, mode & 0xFFF);
    }

    [Fact]
    public void PrepareAndCommit_AnExistingFile_KeepsItsModeWhateverTheNewFileModeSays()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "old\n");
        File.SetUnixFileMode(tree.PathOf(Rules), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        using (var prepared = new ConfigFile(tree.Files, Rules, newFileMode: 0b110_000_000).Prepare("new\n"))
        {
            prepared.Commit();
        }

        Assert.Equal(0, ReplacementFile.Stat(tree.PathOf(Rules), out _, out _, out uint mode));
        Assert.Equal(0b110_100_000u, mode & 0xFFF);
    }

    [Fact]
    public void Commit_WithABackupPath_KeepsThePreviousVersionThereOnly()
    {
        using var tree = HostTree.Empty();
        const string Backup = "/etc/udev/rules.d/.70-sriovps.rules.sriovps.bak";
        tree.WriteFile(Rules, "old\n");
        var file = new ConfigFile(tree.Files, Rules, backupHostPath: Backup);

        using (var prepared = file.Prepare("new\n"))
        {
            prepared.Commit();
        }

        Assert.Equal(Backup, file.BackupHostPath);
        Assert.Equal("old\n", File.ReadAllText(tree.PathOf(Backup)));
        Assert.False(File.Exists(tree.PathOf(Rules + ConfigFile.BackupSuffix)));
    }

    [SkippableFact]
    public void Commit_KeepsOwnerAndMode_AndLeavesThePreviousVersionAsTheBackup()
    {
        Skip.IfNot(System.Environment.UserName == "root", "changing a file's owner needs root");
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "old\n");
        string path = tree.PathOf(Rules);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Run("chown", "1234:4321", path);
        var file = new ConfigFile(tree.Files, Rules);

        using (var prepared = file.Prepare("new\n"))
        {
            prepared.Commit();
        }

        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal(0, ReplacementFile.Stat(path, out uint owner, out uint group, out uint mode));
        Assert.Equal((1234u, 4321u, 0b110_100_000u), (owner, group, mode & 0xFFF));
        Assert.Equal("old\n", File.ReadAllText(path + ConfigFile.BackupSuffix));
        AssertNoTemporaryFiles(tree);
    }

    [Fact]
    public void Prepare_OnAReadOnlyFile_IsAWriteError_AndTheOriginalIsIntact()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "keep me\n");
        File.SetUnixFileMode(tree.PathOf(Rules), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new ConfigFile(tree.Files, Rules).Prepare("changed\n"));

        Assert.Equal((ErrorCatalog.ConfigFileReadOnly, SriovErrorCategory.WriteError), (error.Id, error.Category));
        Assert.Contains("read-only (mode 444)", error.Message);
        Assert.Equal("keep me\n", File.ReadAllText(tree.PathOf(Rules)));
        Assert.False(File.Exists(tree.PathOf(Rules + ConfigFile.BackupSuffix)));
        AssertNoTemporaryFiles(tree);
    }

    [SkippableFact]
    public void Prepare_OnAnImmutableFile_IsAWriteError_EvenForRoot()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "keep me\n");
        string path = tree.PathOf(Rules);
        Skip.IfNot(TryRun("chattr", "+i", path), "this filesystem or user cannot set the immutable flag (chattr +i)");
        try
        {
            var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new ConfigFile(tree.Files, Rules).Prepare("changed\n"));

            Assert.Equal(ErrorCatalog.ConfigFileReadOnly, error.Id);
            Assert.Equal("keep me\n", File.ReadAllText(path));
            AssertNoTemporaryFiles(tree);
        }
        finally
        {
            TryRun("chattr", "-i", path);
        }
    }

    [Fact]
    public void Prepare_OnASymbolicLink_Refuses_AndLeavesTheLinkAndItsTarget()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/elsewhere.rules", "target\n");
        Directory.CreateDirectory(tree.PathOf("/etc/udev/rules.d"));
        File.CreateSymbolicLink(tree.PathOf(Rules), "../../elsewhere.rules");

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new ConfigFile(tree.Files, Rules).Prepare("changed\n"));

        Assert.Equal(ErrorCatalog.ConfigFileWriteFailed, error.Id);
        Assert.Contains("not a regular file", error.Message);
        Assert.Equal("../../elsewhere.rules", new FileInfo(tree.PathOf(Rules)).LinkTarget);
        Assert.Equal("target\n", File.ReadAllText(tree.PathOf("/etc/elsewhere.rules")));
        AssertNoTemporaryFiles(tree);
    }

    [Fact]
    public void Commit_AgainKeepsOnlyTheLatestPreviousVersion()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "one\n");
        var file = new ConfigFile(tree.Files, Rules);

        foreach (var text in new[] { "two\n", "three\n" })
        {
            using var prepared = file.Prepare(text);
            prepared.Commit();
        }

        Assert.Equal("three\n", File.ReadAllText(tree.PathOf(Rules)));
        Assert.Equal("two\n", File.ReadAllText(tree.PathOf(Rules + ConfigFile.BackupSuffix)));
        Assert.DoesNotContain(Directory.GetFiles(tree.PathOf("/etc/udev/rules.d")), n => n.EndsWith(".bak", System.StringComparison.Ordinal) && !n.EndsWith(ConfigFile.BackupSuffix, System.StringComparison.Ordinal));
    }

    [Fact]
    public void Dispose_WithoutCommit_LeavesTheFileAsItWas()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "old\n");

        using (new ConfigFile(tree.Files, Rules).Prepare("new\n"))
        {
        }

        Assert.Equal("old\n", File.ReadAllText(tree.PathOf(Rules)));
        AssertNoTemporaryFiles(tree);
    }

    [Fact]
    public void Remove_KeepsTheFileAsTheBackup()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(Rules, "old\n");
        var file = new ConfigFile(tree.Files, Rules);

        file.Remove();
        file.Remove();

        Assert.False(File.Exists(tree.PathOf(Rules)));
        Assert.Equal("old\n", File.ReadAllText(tree.PathOf(Rules + ConfigFile.BackupSuffix)));
    }

    [Fact]
    public void ReadText_OfAMissingFile_IsNull()
    {
        using var tree = HostTree.Empty();

        Assert.Null(new ConfigFile(tree.Files, Rules).ReadText());
    }

    private static void AssertNoTemporaryFiles(HostTree tree)
    {
        string directory = tree.PathOf("/etc/udev/rules.d");
        var names = Directory.Exists(directory) ? Directory.GetFiles(directory).Select(Path.GetFileName) : [];
        Assert.DoesNotContain(names, n => n!.EndsWith(".tmp", System.StringComparison.Ordinal));
    }

    private static void Run(string program, params string[] arguments) => ExternalProgram.Run(program, arguments);

    private static bool TryRun(string program, params string[] arguments)
    {
        try
        {
            return ExternalProgram.TryRun(program, null, arguments).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
