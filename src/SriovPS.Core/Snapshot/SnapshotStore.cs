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

    /// <summary>Whether <paramref name="path"/> names an archive rather than a directory.</summary>
    public static bool IsArchiveName(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> is a snapshot: a directory with a manifest, or a gzip file.</summary>
    public static bool IsSnapshot(string path)
    {
        if (Directory.Exists(path))
        {
            return File.Exists(Path.Combine(path, SriovHostSnapshot.FileName));
        }

        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        // gzip's magic number.
        return stream.ReadByte() == 0x1f && stream.ReadByte() == 0x8b;
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
        bool archive = File.Exists(snapshot);
        string key = archive ? Hash(snapshot) : Hash(Path.Combine(snapshot, SriovHostSnapshot.FileName), Path.Combine(snapshot, TreeFile));
        string entry = Path.Combine(CacheRoot(), key);
        if (Directory.Exists(entry))
        {
            // Entries appear whole, by one rename.
            return entry;
        }

        string partial = $"{entry}.partial-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(partial);
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

            HostTreeManifest.Materialize(tree, Path.Combine(partial, TreeDirectory));
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

    /// <summary>The cache of unpacked snapshots: $XDG_CACHE_HOME/sriovps/snapshots, else ~/.cache/sriovps/snapshots.</summary>
    public static string CacheRoot()
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !Path.IsPathRooted(cache))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            cache = string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "sriovps-" + Environment.UserName) : Path.Combine(home, ".cache");
        }

        return Path.Combine(cache, "sriovps", "snapshots");
    }

    private static void Extract(string archive, string destination)
    {
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.Directory)
                {
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !SafeEntryName().IsMatch(entry.Name)
                    || entry.Name.Split('/').Any(part => part is "." or ".."))
                {
                    throw new FormatException($"The archive holds '{entry.Name}', which is not a file of a snapshot.");
                }

                if (!names.Add(entry.Name))
                {
                    throw new FormatException($"The archive holds '{entry.Name}' twice.");
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

    [GeneratedRegex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$")]
    private static partial Regex SafeEntryName();
}
