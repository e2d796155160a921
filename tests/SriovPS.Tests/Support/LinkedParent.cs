using System;
using System.IO;
using SriovPS.Native.Files;

namespace SriovPS.Tests.Support;

/// <summary>
/// A tree reached through a symbolic link to the directory that holds it (<c>/tmp/x/link/h1</c> with
/// <c>link → /tmp</c>), as a tree under a linked /tmp or home directory is; the link is removed on dispose.
/// </summary>
internal sealed class LinkedParent : IDisposable
{
    private readonly string _folder;

    public LinkedParent(HostTree tree)
    {
        _folder = Directory.CreateTempSubdirectory("sriovps-link-").FullName;
        string link = Path.Combine(_folder, "link");
        Directory.CreateSymbolicLink(link, Path.GetDirectoryName(tree.Root)!);
        Root = Path.Combine(link, Path.GetFileName(tree.Root));
    }

    /// <summary>The tree's root spelled through the link.</summary>
    public string Root { get; }

    public HostFileSystem Files => new(Root);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
