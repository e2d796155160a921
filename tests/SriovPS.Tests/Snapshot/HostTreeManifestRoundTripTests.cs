using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// host.hosttree as a snapshot writes it: every file's text, read back and materialized, is byte for
/// byte what the host had, whatever its last line or control characters.
/// </summary>
public sealed class HostTreeManifestRoundTripTests
{
    private static List<HostTreeEntry> RoundTrip(params HostTreeEntry[] entries) =>
        HostTreeManifest.Parse(HostTreeManifest.Format(entries, ["taken from lab1", "second header line"]), "host.hosttree");

    private static HostTreeEntry File(string path, string text) => new(HostTreeEntryKind.File, path, text, 0);

    [Theory]
    [InlineData("no newline at the end")]
    [InlineData("two lines\nthe second without one")]
    [InlineData(" ")]
    [InlineData("trailing blank ")]
    [InlineData("ends with a backslash \\")]
    public void ContentWithoutATrailingNewline_IsWrittenAsText_AndReadBackTheSame(string text)
    {
        string manifest = HostTreeManifest.Format([File("/etc/hostname", text)], []);
        Assert.StartsWith("text /etc/hostname ", manifest, System.StringComparison.Ordinal);

        Assert.Equal(text, RoundTrip(File("/etc/hostname", text)).Single().Value);
    }

    [Theory]
    [InlineData("0x8086\n")]
    [InlineData("\n")]
    [InlineData("\n\n")]
    [InlineData("")]
    [InlineData("crlf line\r\nsecond\r\n")]
    [InlineData("a lone \r carriage return\n")]
    [InlineData("tab\tseparated\tvalues\n")]
    [InlineData("C:\\path\\with\\backslashes\\n not a newline\n")]
    [InlineData("\\\\ two backslashes and \\t a literal one\n")]
    [InlineData("  leading blanks and # a hash\n")]
    [InlineData("ends with a carriage return\r")]
    public void AnyContent_ReadsBackTheSame(string text)
    {
        var read = RoundTrip(File("/etc/network/interfaces", text)).Single();

        Assert.Equal((HostTreeEntryKind.File, "/etc/network/interfaces", text), (read.Kind, read.Path, read.Value));
    }

    [Fact]
    public void TheManifestOfEveryContent_IsOneLineAnEntry()
    {
        string manifest = HostTreeManifest.Format([File("/a", "x\r\ny\tz\\"), File("/b", "one\ntwo\n")], ["header"]);

        Assert.Equal(["# header", "text /a x\\r\\ny\\tz\\\\", "file /b one\\ntwo"], manifest.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void DirectoriesLinksAndFiles_ReadBackInOrder()
    {
        HostTreeEntry[] entries =
        [
            new(HostTreeEntryKind.Directory, "/sys/kernel/iommu_groups", "", 0),
            new(HostTreeEntryKind.Link, "/sys/bus/pci/devices/0000:04:00.0", "../../../devices/pci0000:00/0000:04:00.0", 0),
            File("/proc/cmdline", "BOOT_IMAGE=/vmlinuz intel_iommu=on"),
        ];

        Assert.Equal(entries.Select(e => (e.Kind, e.Path, e.Value)), RoundTrip(entries).Select(e => (e.Kind, e.Path, e.Value)));
    }

    [Fact]
    public void Materialized_TheFilesHoldTheExactBytes()
    {
        string text = "no newline\r\n\twith tab \\ and backslash";
        using var tree = HostTree.Empty();
        string manifest = Path.Combine(tree.Root, "host.hosttree");
        System.IO.File.WriteAllText(manifest, HostTreeManifest.Format([File("/etc/x.conf", text)], []));

        HostTreeManifest.Materialize(manifest, Path.Combine(tree.Root, "root"));

        Assert.Equal(text, System.IO.File.ReadAllText(Path.Combine(tree.Root, "root/etc/x.conf")));
    }

    // A path may hold blanks (NetworkManager's own "Wired connection 1.nmconnection", a directory
    // "old configs"): the manifest keeps each path whole, so a file reads back under its own path with
    // its own text, and a directory under its own path.
    [Fact]
    public void APathWithASpace_ReadsBackTheSame()
    {
        var file = File("/etc/NetworkManager/system-connections/Wired connection 1.nmconnection", "[connection]\nid=Wired connection 1\n");

        var read = RoundTrip(file).Single();

        Assert.Equal((file.Path, file.Value), (read.Path, read.Value));
    }

    [Fact]
    public void ADirectoryWithASpace_ReadsBackTheSame()
    {
        var directory = new HostTreeEntry(HostTreeEntryKind.Directory, "/etc/netplan/old configs", "", 0);

        var read = RoundTrip(directory).Single();

        Assert.Equal(directory.Path, read.Path);
    }
}
