using System;
using System.IO;
using System.Linq;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Files;

public class HostFileSystemTests
{
    [Fact]
    public void ReadAttribute_DropsTheTrailingNewline()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/a", "0x8086\n");

        Assert.Equal("0x8086", tree.Files.ReadAttribute("/sys/a"));
    }

    [Fact]
    public void ReadAttribute_KeepsInnerLinesAndSpaces()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/proc/cmdline", "ro  quiet\nsecond\n\n");

        Assert.Equal("ro  quiet\nsecond", tree.Files.ReadAttribute("/proc/cmdline"));
    }

    [Fact]
    public void ReadAttribute_MissingFileOrDirectory_IsNull()
    {
        using var tree = HostTree.Empty();
        Directory.CreateDirectory(tree.PathOf("/sys/dir"));

        Assert.Null(tree.Files.ReadAttribute("/sys/nothing"));
        Assert.Null(tree.Files.ReadAttribute("/sys/dir"));
    }

    [Fact]
    public void ReadAttribute_OfAFileLargerThanAPage_ReadsTheFirstPage()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/big", new string('x', 10000));

        Assert.Equal(4096, tree.Files.ReadAttribute("/sys/big")!.Length);
    }

    [Fact]
    public void ReadLinkName_GivesTheTargetsLastPart_AndNullForAFile()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/file", "x");
        Directory.CreateDirectory(tree.PathOf("/sys/bus/pci/drivers/igb"));
        File.CreateSymbolicLink(tree.PathOf("/sys/driver"), "bus/pci/drivers/igb");

        Assert.Equal("igb", tree.Files.ReadLinkName("/sys/driver"));
        Assert.Equal("bus/pci/drivers/igb", tree.Files.ReadLink("/sys/driver"));
        Assert.Null(tree.Files.ReadLinkName("/sys/file"));
        Assert.Null(tree.Files.ReadLinkName("/sys/none"));
    }

    [Fact]
    public void ListNames_IncludesLinksAndIsEmptyForAMissingDirectory()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/d/a", "x");
        File.CreateSymbolicLink(tree.PathOf("/sys/d/b"), "nowhere");

        Assert.Equal(["a", "b"], tree.Files.ListNames("/sys/d").Order());
        Assert.Empty(tree.Files.ListNames("/sys/none"));
    }

    [Fact]
    public void PathOf_MapsHostPathsUnderTheRoot()
    {
        Assert.Equal("/tmp/host/sys/class/net", new HostFileSystem("/tmp/host/").PathOf("/sys/class/net"));
        Assert.Equal("/sys/class/net", new HostFileSystem("/").PathOf("/sys/class/net"));
        Assert.True(new HostFileSystem("/").IsLiveHost);
        Assert.False(new HostFileSystem("/tmp/host").IsLiveHost);
        Assert.Throws<ArgumentException>(() => new HostFileSystem("/").PathOf("sys/class/net"));
    }

    [Fact]
    public void ResolvedPathOf_ATreeUnderALinkedDirectory_IsTheFilesRealPath()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/share/misc/pci.ids", "8086  Intel Corporation\n");
        using var linked = new LinkedParent(tree);
        string? real = tree.Files.ResolvedPathOf("/usr/share/misc/pci.ids");

        Assert.EndsWith(Path.GetFileName(tree.Root) + "/usr/share/misc/pci.ids", real);
        Assert.Equal(real, linked.Files.ResolvedPathOf("/usr/share/misc/pci.ids"));
        Assert.Null(linked.Files.ResolvedPathOf("/usr/share/misc/absent"));
    }
}
