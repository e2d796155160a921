using System;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Files;

/// <summary>
/// Paths of a copied tree resolved inside it, with openat2 and with the component walk: links that
/// start at '/' or climb above the root stay in the tree, links with no target there are refused,
/// and nothing outside the tree is read or written.
/// </summary>
[Collection(nameof(InRootPathWalk))]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostRootConfinementTests : IDisposable
{
    private const string Grub = "/etc/default/grub";

    private readonly string _outside = Directory.CreateTempSubdirectory("sriovps-outside-").FullName;

    public void Dispose()
    {
        InRootPath.UseOpenAt2 = true;
        Directory.Delete(_outside, recursive: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnAbsoluteLinkToAFolderOutsideTheTree_IsRefusedForReadsAndWrites_AndTheFolderIsUntouched(bool openAt2)
    {
        InRootPath.UseOpenAt2 = openAt2;
        using var tree = HostTree.Empty();
        File.WriteAllText(Path.Combine(_outside, "grub"), "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        Directory.CreateDirectory(tree.PathOf("/etc"));
        File.CreateSymbolicLink(tree.PathOf("/etc/default"), _outside);
        var file = new ConfigFile(tree.Files, Grub);

        var read = SriovAssert.Throws(SriovErrorCategory.PermissionDenied, file.ReadText);
        var write = SriovAssert.Throws(SriovErrorCategory.PermissionDenied, () => file.Prepare("changed\n").Dispose());

        Assert.All(new[] { read, write }, e => Assert.Equal(ErrorCatalog.HostPathOutsideRoot, e.Id));
        Assert.Contains($"/etc/default → {_outside}", read.Message);
        Assert.Null(HostText.Read(tree.Files, Grub));
        Assert.False(tree.Files.Exists(Grub));
        Assert.Equal(["grub"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        Assert.Equal("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", File.ReadAllText(Path.Combine(_outside, "grub")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnAbsoluteLinkInsideTheTree_IsFollowedFromTheTreesRoot(bool openAt2)
    {
        InRootPath.UseOpenAt2 = openAt2;
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/static/default/grub", "from the tree\n");
        File.CreateSymbolicLink(tree.PathOf("/etc/default"), "/etc/static/default");
        var file = new ConfigFile(tree.Files, Grub);

        Assert.Equal("from the tree\n", file.ReadText());
        using (var prepared = file.Prepare("changed\n"))
        {
            prepared.Commit();
        }

        Assert.Equal("changed\n", File.ReadAllText(tree.PathOf("/etc/static/default/grub")));
        Assert.Equal("from the tree\n", File.ReadAllText(tree.PathOf("/etc/static/default/grub" + ConfigFile.BackupSuffix)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ALinkClimbingAboveTheRoot_StopsAtIt(bool openAt2)
    {
        InRootPath.UseOpenAt2 = openAt2;
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/modules-load.d/vfio.conf", "vfio\n");
        Directory.CreateDirectory(tree.PathOf("/a/b"));
        File.CreateSymbolicLink(tree.PathOf("/a/b/etc"), "../../../../../../../etc");

        Assert.Equal("vfio\n", HostText.Read(tree.Files, "/a/b/etc/modules-load.d/vfio.conf"));
        Assert.Equal(["vfio.conf"], tree.Files.ListNames("/a/b/etc/modules-load.d"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheFixturesRelativeSysfsLinks_StillResolve(bool openAt2)
    {
        InRootPath.UseOpenAt2 = openAt2;
        using var tree = HostTree.FromFixture("i350-4port");

        // eno49 links to .../0000:04:00.0/net/eno49: '..' goes up from where the link leads, as in sysfs.
        const string Device = "/sys/class/net/eno49/../..";
        Assert.Equal("igb", tree.Files.ReadLinkName(Device + "/driver"));
        Assert.Equal("7", tree.Files.ReadAttribute(Device + "/sriov_numvfs"));
        Assert.Contains("virtfn0", tree.Files.ListNames(Device));
        Assert.Equal("7", tree.Files.ReadAttribute("/sys/bus/pci/devices/0000:04:00.0/sriov_numvfs"));
    }

    [Fact]
    public void AFileThatIsADirectory_IsReportedAsSuch_NotAsPermissionDenied()
    {
        using var tree = HostTree.Empty();
        Directory.CreateDirectory(tree.PathOf(Grub));
        var file = new ConfigFile(tree.Files, Grub);

        var read = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, file.ReadText);
        var write = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => file.Prepare("x\n").Dispose());

        Assert.All(new[] { read, write }, e => Assert.Equal(ErrorCatalog.HostPathWrongType, e.Id));
        Assert.Contains("is a directory, not a file", read.Message);
        Assert.True(Directory.Exists(tree.PathOf(Grub)));
    }

    [Fact]
    public void RunLockThatIsAFile_IsACataloguedError()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/run/lock", "x\n");

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => HostChangeLock.Acquire(tree.Files, TimeSpan.Zero));

        Assert.Equal(ErrorCatalog.HostPathWrongType, error.Id);
        Assert.Equal("x\n", File.ReadAllText(tree.PathOf("/run/lock")));
    }

    [Fact]
    public void TheLock_LeavesACopiedTreeAsItWas_WhenReleased()
    {
        using var tree = HostTree.Empty();

        using (HostChangeLock.Acquire(tree.Files, TimeSpan.Zero))
        {
            Assert.True(File.Exists(tree.PathOf(HostChangeLock.HostPath)));
        }

        Assert.False(Directory.Exists(tree.PathOf("/run")));
        Assert.Empty(Directory.GetFileSystemEntries(tree.Root));
    }

    [Fact]
    public void AWaitForTheLock_IsWarnedOfAfterAFewSeconds_NamingTheHolder()
    {
        using var tree = HostTree.Empty();
        using var holder = HostChangeLock.Acquire(tree.Files, TimeSpan.Zero);
        var warnings = new System.Collections.Generic.List<(TimeSpan At, string Text)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => HostChangeLock.Acquire(
            tree.Files, HostChangeLock.WarnAfter + TimeSpan.FromSeconds(1), new CallbackReport(warn: text => warnings.Add((clock.Elapsed, text)))));

        var (at, warning) = Assert.Single(warnings);
        Assert.InRange(at, HostChangeLock.WarnAfter, HostChangeLock.WarnAfter + TimeSpan.FromSeconds(1));
        Assert.Contains($"PID {Environment.ProcessId}: ", warning);
    }
}

/// <summary>Tests that switch <see cref="InRootPath.UseOpenAt2"/> run one at a time.</summary>
[CollectionDefinition(nameof(InRootPathWalk), DisableParallelization = true)]
public sealed class InRootPathWalk
{
}
