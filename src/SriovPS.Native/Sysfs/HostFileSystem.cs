using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Enumeration;
using System.Text;

namespace SriovPS.Native.Sysfs;

/// <summary>
/// The files of one host as seen under a root directory: <c>/</c> for the live host, or a copied
/// host tree. Every path the module reads goes through here, written as the host would spell it
/// (<c>/sys/bus/pci/devices</c>), so a copied tree and the live host are read by the same code.
/// Reads tolerate a device that vanishes between listing and reading: a missing file is <c>null</c>.
/// </summary>
internal sealed class HostFileSystem
{
    // sysfs attributes fit in a page; a larger file is not an attribute we parse.
    private const int AttributeBufferSize = 4096;

    public HostFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root == "/" ? "/" : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    /// <summary>The directory that stands for the host's <c>/</c>.</summary>
    public string Root { get; }

    /// <summary>True when this is the running host rather than a copied tree.</summary>
    public bool IsLiveHost => Root == "/";

    /// <summary>The real path of a host path such as <c>/sys/class/net</c>.</summary>
    public string PathOf(string hostPath)
    {
        if (hostPath.Length == 0 || hostPath[0] != '/')
        {
            throw new ArgumentException($"Host paths are absolute: '{hostPath}'.", nameof(hostPath));
        }

        return IsLiveHost ? hostPath : string.Concat(Root, hostPath);
    }

    public bool Exists(string hostPath) => Path.Exists(PathOf(hostPath));

    /// <summary>
    /// A sysfs attribute's text without its trailing newline, or <c>null</c> when the file is absent,
    /// unreadable in the device's present state (sysfs answers EINVAL or EIO), or gone.
    /// </summary>
    public string? ReadAttribute(string hostPath)
    {
        Span<byte> buffer = stackalloc byte[AttributeBufferSize];
        int length;
        try
        {
            using var handle = File.OpenHandle(PathOf(hostPath), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            length = RandomAccessRead(handle, buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var text = buffer[..length];
        while (text.Length > 0 && (text[^1] == (byte)'\n' || text[^1] == (byte)'\0'))
        {
            text = text[..^1];
        }

        return Encoding.UTF8.GetString(text);
    }

    /// <summary>The last component of a symbolic link's target, or <c>null</c> when it is not a link.</summary>
    public string? ReadLinkName(string hostPath)
    {
        var target = ReadLink(hostPath);
        return target is null ? null : Path.GetFileName(Path.TrimEndingDirectorySeparator(target));
    }

    /// <summary>A symbolic link's target as stored, or <c>null</c> when the path is absent or not a link.</summary>
    public string? ReadLink(string hostPath)
    {
        try
        {
            return new FileInfo(PathOf(hostPath)).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The names in a directory, unsorted; empty when the directory is absent or gone.</summary>
    public IReadOnlyList<string> ListNames(string hostPath)
    {
        var names = new List<string>();
        try
        {
            var entries = new FileSystemEnumerable<string>(
                PathOf(hostPath),
                static (ref FileSystemEntry entry) => entry.FileName.ToString(),
                new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 });
            names.AddRange(entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A directory that vanished mid-listing reads as empty; the caller skips the device.
        }

        return names;
    }

    private static int RandomAccessRead(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer)
    {
        // sysfs returns an attribute in one read, but a regular file in a copied tree may not.
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(handle, buffer[total..], total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
