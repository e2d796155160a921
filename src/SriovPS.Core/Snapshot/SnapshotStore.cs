using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Snapshot;

/// <summary>
/// Where snapshots live on disk: written as a directory or a <c>.tar.gz</c> of the same files, and read
/// by unpacking once into a cache keyed by their content (an archive whole; a directory's manifest and
/// host files), so every later command reads a ready tree. A cache entry is made beside its final name
/// and renamed into place, so commands running side by side never see half of one.
/// </summary>
internal static partial class SnapshotStore
{
    /// <summary>The host's files in the snapshot, as a host-tree manifest.</summary>
    public const string TreeFile = "host.hosttree";

    /// <summary>Where the host's files are materialized inside a cache entry.</summary>
    public const string TreeDirectory = "root";

    // An archive unpacks to at most this much, and a host tree to at most this many entries: a snapshot
    // of 8 PFs with 128 VFs each is 2.3 MB and 18,000 entries, so these leave room and stop a bomb.
    private const long MaxUnpackedBytes = 256L << 20;
    private const int MaxTreeEntries = 1_000_000;

    /// <summary>Whether <paramref name="path"/> names an archive rather than a directory.</summary>
    public static bool IsArchiveName(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> is a snapshot: a directory with a manifest, or a regular gzip file.</summary>
    public static bool IsSnapshot(string path)
    {
        if (Directory.Exists(path))
        {
            return File.Exists(Path.Combine(path, SriovHostSnapshot.FileName));
        }

        if (!IsRegularFile(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        // gzip's magic number.
        return stream.ReadByte() == 0x1f && stream.ReadByte() == 0x8b;
    }

    /// <summary>Whether <paramref name="path"/> is a regular file, asked without opening it: a FIFO or a device would block a reader.</summary>
    public static bool IsRegularFile(string path) =>
        Path.IsPathFullyQualified(path = Path.GetFullPath(path)) && new HostFileSystem("/").Stamp(path, out _, out _) == 0;

    /// <summary>Whether a name is one a snapshot holds: its manifest, host files, kernel state, Open vSwitch, or a file of its libvirt.</summary>
    public static bool IsSnapshotFile(string name) =>
        name is SriovHostSnapshot.FileName or TreeFile or SavedKernel.FileName or SavedOvs.FileName || SafeLibvirtFile().IsMatch(name);

    /// <summary>
    /// Whether <paramref name="path"/> holds a snapshot and nothing else (what -Force may replace): a
    /// directory of snapshot files whose manifest reads, or an archive of them.
    /// </summary>
    public static bool IsOwnSnapshot(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                var names = Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories)
                    .Select(p => Path.GetRelativePath(path, p).Replace('\\', '/'))
                    .Where(n => n != SavedLibvirt.DirectoryName);
                if (!names.All(IsSnapshotFile))
                {
                    return false;
                }

                _ = SriovHostSnapshot.Read(path);
                return true;
            }

            if (!IsSnapshot(path))
            {
                return false;
            }

            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            bool manifest = false;
            while (tar.GetNextEntry() is { } entry)
            {
                if (!IsSnapshotFile(entry.Name))
                {
                    return false;
                }

                manifest |= entry.Name == SriovHostSnapshot.FileName;
            }

            return manifest;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Packs the snapshot directory <paramref name="directory"/> into the archive <paramref name="archive"/>.</summary>
    public static void Pack(string directory, string archive)
    {
        using var file = File.Create(archive);
        using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false);
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(directory, path).Replace('\\', '/');
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = File.OpenRead(path),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                ModificationTime = File.GetLastWriteTimeUtc(path),
            };
            using (entry.DataStream)
            {
                tar.WriteEntry(entry);
            }
        }
    }

    /// <summary>
    /// The cache directory holding <paramref name="snapshot"/> unpacked: its files (for an archive) and
    /// <see cref="TreeDirectory"/>, its host's files. Made when missing.
    /// </summary>
    /// <exception cref="FormatException">The snapshot is damaged: not a gzip tar, an entry with a path leading out, or a malformed manifest.</exception>
    /// <exception cref="IOException">The cache could not be written.</exception>
    public static string Unpack(string snapshot)
    {
        bool archive = !Directory.Exists(snapshot);
        if (archive && !IsRegularFile(snapshot))
        {
            throw new FormatException("It is neither a directory nor a regular file (a device or a FIFO is never read).");
        }

        string key = archive ? Hash(snapshot) : Hash(Path.Combine(snapshot, SriovHostSnapshot.FileName), Path.Combine(snapshot, TreeFile));
        string cache = CacheRoot();
        string entry = Path.Combine(cache, key);
        if (Directory.Exists(entry))
        {
            // Entries appear whole, by one rename.
            return entry;
        }

        RemoveAbandoned(cache);
        string partial = $"{entry}.partial-{Guid.NewGuid():N}";
        try
        {
            CreatePrivateDirectory(partial);
            string files = archive ? partial : snapshot;
            if (archive)
            {
                Extract(snapshot, partial);
            }

            string tree = Path.Combine(files, TreeFile);
            if (!File.Exists(tree))
            {
                throw new FormatException($"The snapshot has no {TreeFile}.");
            }

            var entries = HostTreeManifest.Parse(File.ReadAllText(tree), TreeFile);
            if (entries.Count > MaxTreeEntries)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Its {TreeFile} has {entries.Count} entries; a snapshot has at most {MaxTreeEntries}."));
            }

            HostTreeManifest.Materialize(entries, Path.Combine(partial, TreeDirectory));
            Directory.Move(partial, entry);
        }
        catch (IOException) when (Directory.Exists(entry))
        {
            // Another command unpacked it meanwhile: the entry is that one, whole.
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }

        return entry;
    }

    /// <summary>
    /// The cache of unpacked snapshots, readable by its owner only: $XDG_CACHE_HOME/sriovps/snapshots, else
    /// ~/.cache/sriovps/snapshots; without a home, a new private directory for this command alone.
    /// </summary>
    public static string CacheRoot()
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !Path.IsPathRooted(cache))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
            {
                // A place of its own in the temporary directory, trusted only while nobody else can write to it.
                string shared = Path.Combine(Path.GetTempPath(), "sriovps-snapshots-" + Environment.UserName);
                CreatePrivateDirectory(shared);
                return OperatingSystem.IsWindows() || File.GetUnixFileMode(shared) == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
                    ? shared
                    : Directory.CreateTempSubdirectory("sriovps-snapshots-").FullName;
            }

            cache = Path.Combine(home, ".cache");
        }

        string root = Path.Combine(cache, "sriovps", "snapshots");
        CreatePrivateDirectory(Path.Combine(cache, "sriovps"));
        CreatePrivateDirectory(root);
        return root;
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    // What a stopped command left half unpacked an hour ago or more.
    private static void RemoveAbandoned(string cache)
    {
        foreach (var partial in Directory.EnumerateDirectories(cache, "*.partial-*"))
        {
            try
            {
                if (Directory.GetLastWriteTimeUtc(partial) < DateTime.UtcNow.AddHours(-1))
                {
                    Directory.Delete(partial, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another command removes it, or it is not ours to remove.
            }
        }
    }

    private static void Extract(string archive, string destination)
    {
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var names = new HashSet<string>(StringComparer.Ordinal);
            long unpacked = 0;
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.Directory)
                {
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !IsSnapshotFile(entry.Name))
                {
                    throw new FormatException($"The archive holds '{entry.Name}', which is not a file of a snapshot.");
                }

                if (!names.Add(entry.Name))
                {
                    throw new FormatException($"The archive holds '{entry.Name}' twice.");
                }

                unpacked += entry.Length;
                if (unpacked > MaxUnpackedBytes)
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"It unpacks to more than {MaxUnpackedBytes >> 20} MiB; a snapshot is far smaller."));
                }

                string path = Path.Combine(destination, entry.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                entry.ExtractToFile(path, overwrite: false);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new FormatException($"It is not a whole gzip-compressed tar archive: {e.Message}", e);
        }
    }

    private static string Hash(params string[] files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in files)
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()[..32];
    }

    [GeneratedRegex("^libvirt/[A-Za-z0-9_-][A-Za-z0-9._-]*\\.(xml|json)$")]
    private static partial Regex SafeLibvirtFile();
}
