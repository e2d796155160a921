using System;
using System.IO;
using SriovPS.Build;
using SriovPS.Native.Files;

namespace SriovPS.Tests.Support;

/// <summary>A fixture host tree materialized into a fresh temporary directory, removed on dispose.</summary>
internal sealed class HostTree : IDisposable
{
    private HostTree(string root) => Root = root;

    public string Root { get; }

    public HostFileSystem Files => new(Root);

    public static HostTree FromFixture(string fixtureName)
    {
        var tree = Empty();
        HostTreeManifest.Materialize(Repository.Fixture(fixtureName), tree.Root);
        return tree;
    }

    public static HostTree Empty() =>
        new(Directory.CreateTempSubdirectory("sriovps-host-").FullName);

    /// <summary>
    /// A copy of the fixture snapshot <paramref name="name"/> (tests/fixtures/snapshots) in a fresh directory, its
    /// tree marked so that it gets a cache entry of its own: snapshots are cached by content, and tests edit the
    /// copy and the tree it opens as.
    /// </summary>
    public static HostTree SnapshotCopy(string name, out string snapshot)
    {
        var directory = Empty();
        snapshot = Path.Combine(directory.Root, name);
        Directory.CreateDirectory(snapshot);
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "tests", "fixtures", "snapshots", name)))
        {
            File.Copy(file, Path.Combine(snapshot, Path.GetFileName(file)));
        }

        File.AppendAllText(Path.Combine(snapshot, "host.hosttree"), $"\n# copy {Guid.NewGuid():N}\n");
        return directory;
    }

    /// <summary>The real path of a host path inside this tree.</summary>
    public string PathOf(string hostPath) => Root + hostPath;

    public void WriteFile(string hostPath, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(hostPath))!);
        File.WriteAllText(PathOf(hostPath), text);
    }

    public void Delete(string hostPath)
    {
        var path = PathOf(hostPath);
        if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test over.
        }
    }
}
