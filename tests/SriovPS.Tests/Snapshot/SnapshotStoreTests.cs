using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SriovPS.Snapshot;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// The unpacked-snapshot cache follows $XDG_CACHE_HOME, a variable of the whole process: its tests
/// set it each to their own directory and must not run beside anything else.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SnapshotCacheCollection
{
    public const string Name = "snapshot cache";
}

/// <summary>Snapshots packed as .tar.gz, recognised, and unpacked once into the cache; damaged or hostile archives refused.</summary>
[Collection(SnapshotCacheCollection.Name)]
public sealed class SnapshotStoreTests : IDisposable
{
    private const string Tree = "# host files\ndir /sys/kernel/iommu_groups\nfile /sys/class/net/eno49/device/vendor 0x8086\ntext /etc/hostname lab1\nlink /sys/class/net/eno49/device/driver ../../../../bus/pci/drivers/igb\ndir /sys/bus/pci/drivers/igb\n";

    private readonly string? _xdgBefore = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
    private readonly string _work = Directory.CreateTempSubdirectory("sriovps-store-").FullName;

    public SnapshotStoreTests() => Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Cache);

    private string Cache => Path.Combine(_work, "cache");

    private string Entries => Path.Combine(Cache, "sriovps", "snapshots");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _xdgBefore);
        Directory.Delete(_work, recursive: true);
    }

    private string SnapshotDirectory(string name = "snap", string tree = Tree)
    {
        string directory = Path.Combine(_work, name);
        Directory.CreateDirectory(Path.Combine(directory, "libvirt"));
        File.WriteAllText(Path.Combine(directory, SriovHostSnapshot.FileName), "{\"HostName\": \"lab1\"}\n");
        File.WriteAllText(Path.Combine(directory, SnapshotStore.TreeFile), tree);
        File.WriteAllText(Path.Combine(directory, "kernel.json"), "{}");
        File.WriteAllText(Path.Combine(directory, "libvirt", "libvirt.json"), "{}");
        return directory;
    }

    private string Packed(string name = "snap")
    {
        string archive = Path.Combine(_work, name + ".tar.gz");
        SnapshotStore.Pack(SnapshotDirectory(name), archive);
        return archive;
    }

    /// <summary>An archive of the given entries, written by hand: the shapes Pack never makes.</summary>
    private string Crafted(params TarEntry[] entries)
    {
        string archive = Path.Combine(_work, $"crafted-{Guid.NewGuid():N}.tar.gz");
        using var file = File.Create(archive);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in entries)
        {
            tar.WriteEntry(entry);
        }

        return archive;
    }

    private static PaxTarEntry Regular(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };

    private static List<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f) + " " + (new FileInfo(f).LinkTarget ?? File.ReadAllText(f)))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void PackedAndUnpacked_TheFilesAreTheSame_AndTheHostTreeIsMaterialized()
    {
        string directory = SnapshotDirectory();
        string archive = Path.Combine(_work, "snap.tgz");
        SnapshotStore.Pack(directory, archive);

        string entry = SnapshotStore.Unpack(archive);

        Assert.Equal(Files(directory), Files(entry).Where(f => !f.StartsWith(SnapshotStore.TreeDirectory + "/", StringComparison.Ordinal)));
        string root = Path.Combine(entry, SnapshotStore.TreeDirectory);
        Assert.Equal("0x8086\n", File.ReadAllText(root + "/sys/class/net/eno49/device/vendor"));
        Assert.Equal("lab1", File.ReadAllText(root + "/etc/hostname"));
        Assert.Equal("../../../../bus/pci/drivers/igb", new FileInfo(root + "/sys/class/net/eno49/device/driver").LinkTarget);
        Assert.True(Directory.Exists(root + "/sys/kernel/iommu_groups"));
    }

    [Fact]
    public void ADirectorySnapshot_IsMaterializedWithoutCopyingItsFiles()
    {
        string directory = SnapshotDirectory();

        string entry = SnapshotStore.Unpack(directory);

        Assert.Equal([SnapshotStore.TreeDirectory], Directory.EnumerateFileSystemEntries(entry).Select(Path.GetFileName));
        Assert.Equal("lab1", File.ReadAllText(Path.Combine(entry, SnapshotStore.TreeDirectory) + "/etc/hostname"));
    }

    [Fact]
    public void IsSnapshot_ADirectoryWithAManifest_OrAGzipFile()
    {
        string packed = Packed();
        string plainDirectory = Directory.CreateDirectory(Path.Combine(_work, "plain")).FullName;
        string text = Path.Combine(_work, "notes.tar.gz");
        File.WriteAllText(text, "not gzip");
        string empty = Path.Combine(_work, "empty.tgz");
        File.WriteAllText(empty, "");

        Assert.True(SnapshotStore.IsSnapshot(SnapshotDirectory("other")));
        Assert.True(SnapshotStore.IsSnapshot(packed));
        Assert.False(SnapshotStore.IsSnapshot(plainDirectory));
        Assert.False(SnapshotStore.IsSnapshot(text));
        Assert.False(SnapshotStore.IsSnapshot(empty));
        Assert.False(SnapshotStore.IsSnapshot(Path.Combine(_work, "missing.tar.gz")));
    }

    [Fact]
    public void AnArchiveWithASymlinkEntry_IsRefused()
    {
        string archive = Crafted(
            Regular(SnapshotStore.TreeFile, Tree),
            new PaxTarEntry(TarEntryType.SymbolicLink, "kernel.json") { LinkName = "/etc/shadow" });

        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(archive));
        Assert.Empty(Directory.Exists(Entries) ? Directory.EnumerateFileSystemEntries(Entries) : []);
    }

    [Theory]
    [InlineData("/tmp/sriovps-absolute-entry")]
    [InlineData("../outside.json")]
    [InlineData("libvirt/../../outside.json")]
    [InlineData("./snapshot.json")]
    public void AnArchiveWithAnEntryLeadingOut_IsRefused(string name)
    {
        string archive = Crafted(Regular(SnapshotStore.TreeFile, Tree), Regular(name, "{}"));

        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(archive));
        Assert.False(File.Exists(Path.Combine(_work, "outside.json")));
        Assert.False(File.Exists(Path.Combine(Cache, "sriovps", "outside.json")));
    }

    [Fact]
    public void AnArchiveWithAHardLinkOrDevice_IsRefused()
    {
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(Crafted(
            Regular(SnapshotStore.TreeFile, Tree), new PaxTarEntry(TarEntryType.HardLink, "kernel.json") { LinkName = "host.hosttree" })));
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(Crafted(
            Regular(SnapshotStore.TreeFile, Tree), new PaxTarEntry(TarEntryType.CharacterDevice, "kernel.json"))));
    }

    [Fact]
    public void NotAGzipTar_OrWithoutAHostTree_IsRefused()
    {
        string text = Path.Combine(_work, "text.tar.gz");
        File.WriteAllText(text, "not an archive");
        string gzipOfText = Path.Combine(_work, "gzip-of-text.tar.gz");
        using (var gzip = new GZipStream(File.Create(gzipOfText), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(new string('x', 2000)));
        }

        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(text));
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(gzipOfText));
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(Crafted(Regular("kernel.json", "{}"))));
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(Crafted(Regular(SnapshotStore.TreeFile, "nonsense line\n"))));
    }

    // An archive cut short (a copy interrupted) is a FormatException, so callers report a damaged
    // snapshot, not an IOException they would take for an unwritable cache.
    [Fact]
    public void ATruncatedArchive_IsAFormatException()
    {
        string whole = Packed();
        var bytes = File.ReadAllBytes(whole);
        string cut = Path.Combine(_work, "cut.tar.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(cut));
    }

    // An archive naming a file twice is a damaged snapshot: unpacking it is a FormatException, not an
    // IOException from extraction.
    [Fact]
    public void AnArchiveNamingAFileTwice_IsAFormatException()
    {
        string archive = Crafted(Regular(SnapshotStore.TreeFile, Tree), Regular("kernel.json", "{}"), Regular("kernel.json", "{\"links\": []}"));

        Assert.Throws<FormatException>(() => SnapshotStore.Unpack(archive));
    }

    // A snapshot's manifest must not write outside the cache through one of its own links: a file under
    // a link leading beside $XDG_CACHE_HOME is refused with a FormatException and nothing is written there.
    [Fact]
    public void AHostTreeWritingThroughALinkOutOfTheCache_IsRefused()
    {
        string outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;
        // From the tree's root: the cache entry, snapshots, sriovps, the cache, then _work.
        string tree = "link /escape ../../../../../outside\nfile /escape/planted written from a snapshot\n";

        var refusal = Record.Exception(() => SnapshotStore.Unpack(Crafted(Regular(SnapshotStore.TreeFile, tree))));

        Assert.False(File.Exists(Path.Combine(outside, "planted")), $"the snapshot wrote {outside}/planted, outside the cache");
        Assert.IsType<FormatException>(refusal);
    }

    [Fact]
    public void ASecondUnpack_ReusesTheCacheEntry()
    {
        string archive = Packed();
        string first = SnapshotStore.Unpack(archive);
        string mark = Path.Combine(first, "reused");
        File.WriteAllText(mark, "");

        string second = SnapshotStore.Unpack(archive);

        Assert.Equal(first, second);
        Assert.True(File.Exists(mark));
        Assert.Single(Directory.EnumerateDirectories(Entries));
    }

    [Fact]
    public void TheSameContentUnderAnotherName_SharesTheEntry_AndOtherContentDoesNot()
    {
        string archive = Packed();
        string copy = Path.Combine(_work, "copy.tgz");
        File.Copy(archive, copy);

        Assert.Equal(SnapshotStore.Unpack(archive), SnapshotStore.Unpack(copy));
        Assert.NotEqual(SnapshotStore.Unpack(archive), SnapshotStore.Unpack(SnapshotDirectory("dir")));
    }

    [Fact]
    public void AnEntry_AppearsWholeByOneRename_AndNoPartialIsLeft()
    {
        string archive = Packed();
        string entry = SnapshotStore.Unpack(archive);

        Assert.True(Directory.Exists(Path.Combine(entry, SnapshotStore.TreeDirectory, "sys")));
        Assert.Equal([entry], Directory.EnumerateDirectories(Entries));
    }

    [Fact]
    public async Task TwoParallelUnpacks_BothSucceed_WithOneEntry()
    {
        string archive = Packed();
        using var start = new Barrier(2);

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Command(() =>
        {
            start.SignalAndWait();
            return SnapshotStore.Unpack(archive);
        })));

        Assert.Equal(results[0], results[1]);
        Assert.Equal([results[0]], Directory.EnumerateDirectories(Entries));
        Assert.True(File.Exists(Path.Combine(results[0], SriovHostSnapshot.FileName)));
    }

    // Commands unpacking one archive at once all succeed with one entry, and none removes an entry
    // another has already returned (taking it for one a stopped command left): the file each command
    // leaves in the entry it was given stays there.
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public async Task ParallelUnpacks_AllSucceed_AndNeverRemoveAnEntryAlreadyReturned(int commands)
    {
        string archive = Packed();
        for (int round = 0; round < 20; round++)
        {
            if (Directory.Exists(Cache))
            {
                Directory.Delete(Cache, recursive: true);
            }

            using var start = new Barrier(commands);
            var results = await Task.WhenAll(Enumerable.Range(0, commands).Select(i => Command(() =>
            {
                start.SignalAndWait();
                string entry = SnapshotStore.Unpack(archive);
                try
                {
                    File.WriteAllText(Path.Combine(entry, $"reader-{i}"), "");
                    return entry;
                }
                catch (IOException e)
                {
                    return $"round {round}: the entry vanished under command {i}: {e.Message}";
                }
            })));

            Assert.Single(results.Distinct());
            var readers = Directory.EnumerateFiles(results[0], "reader-*").Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(Enumerable.Range(0, commands).Select(i => $"reader-{i}").Order(StringComparer.Ordinal), readers);
        }
    }

    /// <summary>A command on its own thread, as separate processes would be (a barrier blocks it).</summary>
    private static Task<string> Command(Func<string> run) =>
        Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Fact]
    public void TheCache_FollowsXdgCacheHome()
    {
        Assert.Equal(Entries, SnapshotStore.CacheRoot());
        string entry = SnapshotStore.Unpack(Packed());
        Assert.Equal(Entries, Path.GetDirectoryName(entry));

        string other = Path.Combine(_work, "other-cache");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", other);
        Assert.Equal(Path.Combine(other, "sriovps", "snapshots"), SnapshotStore.CacheRoot());
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("relative/cache")]
    public void AnEmptyOrRelativeXdgCacheHome_FallsBackToTheHomeCache(string value)
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", value);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Skip.If(string.IsNullOrEmpty(home), "no home directory");

        Assert.Equal(Path.Combine(home, ".cache", "sriovps", "snapshots"), SnapshotStore.CacheRoot());
    }

    [Fact]
    public void An_archive_holding_a_file_no_snapshot_has_is_refused_before_it_is_unpacked()
    {
        string archive = Crafted(Regular(SriovHostSnapshot.FileName, "{}"), Regular(SnapshotStore.TreeFile, Tree), Regular("junk", new string('0', 4096)));

        var refused = Assert.Throws<FormatException>(() => SnapshotStore.Unpack(archive));

        Assert.Contains("'junk'", refused.Message);
        Assert.False(Directory.Exists(Entries) && Directory.EnumerateFileSystemEntries(Entries).Any());
    }

    [Fact]
    public void A_device_is_never_read_as_an_archive()
    {
        Assert.False(SnapshotStore.IsRegularFile("/dev/null"));
        Assert.False(SnapshotStore.IsSnapshot("/dev/null"));
        Assert.Throws<FormatException>(() => SnapshotStore.Unpack("/dev/null"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_cache_is_readable_by_its_owner_only()
    {
        SnapshotStore.Unpack(Packed());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Entries));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Cache, "sriovps")));
    }

    [Fact]
    public void Only_a_snapshot_and_nothing_else_counts_as_one_that_may_be_replaced()
    {
        string directory = SnapshotDirectory("mine");
        string foreign = Path.Combine(_work, "foreign.tar.gz");
        using (var file = File.Create(foreign))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(Regular("thesis.txt", "mine"));
        }

        File.WriteAllText(Path.Combine(directory, "thesis.txt"), "not a snapshot's");

        Assert.False(SnapshotStore.IsOwnSnapshot(directory));
        Assert.False(SnapshotStore.IsOwnSnapshot(foreign));
    }
}
