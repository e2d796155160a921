using System;
using System.IO;
using System.Linq;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Fixtures;

public class HostTreeManifestTests
{
    [Fact]
    public void Parse_ReadsDirectoriesFilesAndLinks()
    {
        const string text = "# comment\n\ndir /sys/kernel/iommu_groups\nfile /sys/a/vendor 0x8086\nfile /sys/a/empty\n" +
                            "file /proc/cmdline ro  intel_iommu=on\\tx\\\\y\\nz\nlink /sys/bus/pci/devices/a ../../../a\n";

        var entries = HostTreeManifest.Parse(text, "t");

        Assert.Equal(
            [
                new HostTreeEntry(HostTreeEntryKind.Directory, "/sys/kernel/iommu_groups", "", 3),
                new HostTreeEntry(HostTreeEntryKind.File, "/sys/a/vendor", "0x8086\n", 4),
                new HostTreeEntry(HostTreeEntryKind.File, "/sys/a/empty", "", 5),
                new HostTreeEntry(HostTreeEntryKind.File, "/proc/cmdline", "ro  intel_iommu=on\tx\\y\nz\n", 6),
                new HostTreeEntry(HostTreeEntryKind.Link, "/sys/bus/pci/devices/a", "../../../a", 7),
            ],
            entries);
    }

    [Theory]
    [InlineData("link /sys/a /sys/b", "absolute")]
    [InlineData("file sys/a x", "not an absolute host path")]
    [InlineData("file /sys/../etc/passwd x", "not an absolute host path")]
    [InlineData("file /sys//a x", "not an absolute host path")]
    [InlineData("link /sys/a", "expected 'dir PATH'")]
    [InlineData("dir /sys/a extra", "expected 'dir PATH'")]
    [InlineData("copy /sys/a /b", "expected 'dir PATH'")]
    [InlineData("file /sys/a bad\\q", "Unknown escape")]
    public void Parse_RejectsMalformedLines(string line, string problem)
    {
        var error = Assert.Throws<FormatException>(() => HostTreeManifest.Parse("dir /sys\n" + line, "t"));

        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Materialize_CreatesRealFilesAndRelativeSymlinks()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        string pf = tree.PathOf("/sys/bus/pci/devices/0000:04:00.0");
        Assert.Equal("../../../devices/pci0000:00/0000:00:02.2/0000:04:00.0", new FileInfo(pf).LinkTarget);
        Assert.Equal("0x020000\n", File.ReadAllText(Path.Combine(pf, "class")));
        Assert.Equal("../0000:04:10.4", new FileInfo(Path.Combine(pf, "virtfn1")).LinkTarget);
        Assert.Equal("igb", Path.GetFileName(new DirectoryInfo(Path.Combine(pf, "driver")).ResolveLinkTarget(true)!.FullName));
    }

    [Fact]
    public void Materialize_RefusesANonEmptyDestination()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/keep", "x");

        Assert.Throws<IOException>(() => HostTreeManifest.Materialize(Repository.Fixture("i350-4port"), tree.Root));
        Assert.Equal("x", File.ReadAllText(tree.PathOf("/keep")));
    }

    [Fact]
    public void EveryCommittedFixture_HasNoDanglingLink()
    {
        var fixtures = Directory.GetFiles(Path.Combine(Repository.Root, "tests", "fixtures"), "*.hosttree");
        Assert.NotEmpty(fixtures);
        foreach (var fixture in fixtures)
        {
            using var tree = HostTree.Empty();
            HostTreeManifest.Materialize(fixture, tree.Root);
            var links = HostTreeManifest.Parse(File.ReadAllText(fixture), fixture).Where(e => e.Kind == HostTreeEntryKind.Link);

            Assert.All(links, link => Assert.True(
                Path.Exists(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(tree.PathOf(link.Path))!, link.Value))),
                $"{Path.GetFileName(fixture)}:{link.Line}: {link.Path} -> {link.Value} points nowhere"));
        }
    }
}
