using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SriovPS.Native.Files;

/// <summary>
/// The files of one host as seen under a root directory: <c>/</c> for the live host, or a copied
/// host tree. Every path the module reads goes through here, written as the host would spell it
/// (<c>/sys/bus/pci/devices</c>), so a copied tree and the live host are read by the same code.
/// Reads tolerate a device that vanishes between listing and reading: a missing file reads as absent.
/// Attributes and links are read with plain open/read/close and readlink into stack buffers: a
/// discovery pass makes thousands of these calls, and the BCL's file API adds fstat and flock to each.
/// In a copied tree every path is resolved inside the tree (<see cref="InRootPath"/>): a link, absolute
/// or relative, never leads out of it, for reads and writes alike; a path whose link has no target
/// inside the tree fails with <see cref="Errno.EXDEV"/>.
/// </summary>
internal sealed partial class HostFileSystem
{
    /// <summary>sysfs attributes fit in a page; a larger file is not an attribute we parse.</summary>
    public const int AttributeBufferSize = 4096;

    /// <summary>PATH_MAX: a path, a link target.</summary>
    public const int PathBufferSize = 4096;

    private readonly object _rootGate = new();
    private SafeFileDescriptor? _rootDescriptor;

    public HostFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root == "/" ? "/" : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    /// <summary>The directory that stands for the host's <c>/</c>.</summary>
    public string Root { get; }

    /// <summary>
    /// Told every host path this file system is asked about, read or written: how tests show that a
    /// snapshot holds everything the commands read. Null (nothing is told) in the module itself.
    /// </summary>
    internal Action<string>? PathObserver { get; set; }

    /// <summary>True when this is the running host rather than a copied tree.</summary>
    public bool IsLiveHost => Root == "/";

    /// <summary>
    /// The path of a host path such as <c>/sys/class/net</c> on this machine, as spelled: the root and
    /// the host path, with no link resolved. For messages and for tests that build trees; the module
    /// opens files through <see cref="Open"/> and the other members, which stay inside the root.
    /// </summary>
    public string PathOf(string hostPath)
    {
        CheckHostPath(hostPath);
        return IsLiveHost ? hostPath : string.Concat(Root, hostPath);
    }

    /// <summary>
    /// Reads the attribute <paramref name="directory"/>/<paramref name="name"/> into <paramref name="buffer"/>
    /// without its trailing newline. Returns its length, or -1 when it is absent, gone, or unreadable
    /// in the device's present state (sysfs answers EINVAL or EIO for some attributes of a down link).
    /// </summary>
    public unsafe int ReadAttribute(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, Span<byte> buffer)
    {
        Span<byte> path = stackalloc byte[PathBufferSize];
        if (!TryBuildPath(directory, name, path))
        {
            return -1;
        }

        using var fd = OpenPath(path, Interop.Libc.O_RDONLY, 0, out _);
        if (fd is null)
        {
            return -1;
        }

        int total = 0;
        fixed (byte* bufferPointer = buffer)
        {
            // sysfs gives an attribute in one read; a file in a copied tree may take more.
            while (total < buffer.Length)
            {
                nint read = Interop.Libc.Read(fd, bufferPointer + total, (nuint)(buffer.Length - total));
                if (read < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }

                if (read < 0)
                {
                    return -1;
                }

                total += (int)read;

                // A short read is the end of a sysfs attribute or a regular file: no need to read again for the 0.
                if (read == 0 || total < buffer.Length && read < buffer.Length - (total - read))
                {
                    break;
                }
            }
        }

        while (total > 0 && (buffer[total - 1] == (byte)'\n' || buffer[total - 1] == 0))
        {
            total--;
        }

        return total;
    }

    /// <summary>
    /// Writes <paramref name="value"/> to the existing attribute <paramref name="directory"/>/<paramref name="name"/>
    /// in one write(2), as sysfs requires (it hands each write to the driver whole). Returns 0, or the
    /// errno of the open or the write: sysfs reports a driver's refusal (EBUSY, EINVAL, ENODEV) as the
    /// write's error. Never creates a file; truncates one (sysfs ignores that, a copied tree needs it).
    /// </summary>
    public unsafe int WriteAttribute(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, ReadOnlySpan<byte> value)
    {
        Span<byte> path = stackalloc byte[PathBufferSize];
        if (!TryBuildPath(directory, name, path))
        {
            return Errno.ENAMETOOLONG;
        }

        using var fd = OpenPath(path, Interop.Libc.O_WRONLY | Interop.Libc.O_TRUNC, 0, out int openError);
        if (fd is null)
        {
            return openError;
        }

        nint written;
        fixed (byte* valuePointer = value)
        {
            do
            {
                written = Interop.Libc.Write(fd, valuePointer, (nuint)value.Length);
            }
            while (written < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        }

        if (written < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        // A short write to a regular file (a copied tree) is a full disk; sysfs takes all or fails.
        return written == value.Length ? 0 : Errno.ENOSPC;
    }

    /// <summary>
    /// A sysfs attribute's text without its trailing newline, or <c>null</c> when the file is absent,
    /// unreadable in the device's present state, or gone.
    /// </summary>
    public string? ReadAttribute(string hostPath)
    {
        CheckHostPath(hostPath);
        Span<byte> buffer = stackalloc byte[AttributeBufferSize];
        int length = ReadAttribute(hostPath, [], buffer);
        return length < 0 ? null : Encoding.UTF8.GetString(buffer[..length]);
    }

    /// <summary>
    /// Reads the target of the link <paramref name="directory"/>/<paramref name="name"/> into
    /// <paramref name="target"/>. Returns its length, or -1 when the path is absent or not a link.
    /// </summary>
    public unsafe int ReadLink(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, Span<byte> target)
    {
        Span<byte> path = stackalloc byte[PathBufferSize];
        if (!TryBuildPath(directory, name, path))
        {
            return -1;
        }

        fixed (byte* pathPointer = path)
        fixed (byte* targetPointer = target)
        {
            nint length;
            if (IsLiveHost)
            {
                length = Interop.Libc.ReadLink(pathPointer, targetPointer, (nuint)target.Length);
            }
            else
            {
                // The link itself, found inside the root, read through its descriptor.
                using var fd = OpenPath(path, Interop.Libc.O_PATH | Interop.Libc.O_NOFOLLOW, 0, out _);
                if (fd is null)
                {
                    return -1;
                }

                fixed (byte* empty = "\0"u8)
                {
                    length = Interop.Libc.ReadLinkAt(fd, empty, targetPointer, (nuint)target.Length);
                }
            }

            return length < 0 || length >= target.Length ? -1 : (int)length;
        }
    }

    /// <summary>A symbolic link's target as stored, or <c>null</c> when the path is absent or not a link.</summary>
    public string? ReadLink(string hostPath)
    {
        CheckHostPath(hostPath);
        Span<byte> target = stackalloc byte[PathBufferSize];
        int length = ReadLink(hostPath, [], target);
        return length < 0 ? null : Encoding.UTF8.GetString(target[..length]);
    }

    /// <summary>The last component of a symbolic link's target, or <c>null</c> when it is not a link.</summary>
    public string? ReadLinkName(string hostPath)
    {
        CheckHostPath(hostPath);
        return ReadLinkName(hostPath, []);
    }

    /// <summary>The last component of the target of <paramref name="directory"/>/<paramref name="name"/>, or <c>null</c>.</summary>
    public string? ReadLinkName(ReadOnlySpan<char> directory, ReadOnlySpan<char> name)
    {
        Span<byte> target = stackalloc byte[PathBufferSize];
        int length = ReadLink(directory, name, target);
        return length < 0 ? null : Encoding.UTF8.GetString(LastComponent(target[..length]));
    }

    /// <summary>
    /// The names in a directory but . and .., unsorted; empty when the directory is absent or gone.
    /// Read with readdir alone: the BCL's enumerator stats every symbolic link it meets, and sysfs
    /// directories such as /sys/class/net hold little else.
    /// </summary>
    public List<string> ListNames(string hostPath)
    {
        CheckHostPath(hostPath);
        return ListNames(hostPath, []);
    }

    /// <summary>The names in <paramref name="directory"/>/<paramref name="name"/>, as <see cref="ListNames(string)"/>.</summary>
    public unsafe List<string> ListNames(ReadOnlySpan<char> directory, ReadOnlySpan<char> name)
    {
        var names = new List<string>();
        Span<byte> path = stackalloc byte[PathBufferSize];
        if (!TryBuildPath(directory, name, path))
        {
            return names;
        }

        SafeDirectoryHandle handle;
        fixed (byte* pathPointer = path)
        {
            if (IsLiveHost)
            {
                handle = Interop.Libc.OpenDir(pathPointer);
            }
            else
            {
                // On success the DIR* takes the descriptor over, and disposing fd leaves it open.
                using var fd = OpenPath(path, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY, 0, out _);
                if (fd is null)
                {
                    return names;
                }

                handle = Interop.Libc.FdOpenDir(fd);
            }
        }

        using (handle)
        {
            if (handle.IsInvalid)
            {
                return names;
            }

            // A directory that vanishes mid-listing ends the listing; the caller skips the device.
            for (IntPtr entry = Interop.Libc.ReadDir(handle); entry != IntPtr.Zero; entry = Interop.Libc.ReadDir(handle))
            {
                var entryName = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + Interop.Libc.DirentNameOffset);
                if (!entryName.SequenceEqual("."u8) && !entryName.SequenceEqual(".."u8))
                {
                    names.Add(Encoding.UTF8.GetString(entryName));
                }
            }
        }

        return names;
    }

    /// <summary>The part of a path after its last '/', ignoring a trailing one.</summary>
    public static ReadOnlySpan<byte> LastComponent(ReadOnlySpan<byte> path)
    {
        while (path.Length > 1 && path[^1] == (byte)'/')
        {
            path = path[..^1];
        }

        int slash = path.LastIndexOf((byte)'/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>
    /// Opens a host path built by <see cref="TryBuildPath"/>: plainly on the live host, inside the root
    /// otherwise. Returns the descriptor, or null and the errno.
    /// </summary>
    private unsafe SafeFileDescriptor? OpenPath(ReadOnlySpan<byte> hostPath, int flags, int mode, out int errno)
    {
        fixed (byte* pathPointer = hostPath)
        {
            if (!IsLiveHost)
            {
                var root = RootDescriptor(out errno);
                return root is null ? null : InRootPath.Open(root, pathPointer, flags, mode, out errno);
            }

            while (true)
            {
                var fd = Interop.Libc.Open(pathPointer, flags | Interop.Libc.O_CLOEXEC, mode);
                if (!fd.IsInvalid)
                {
                    errno = 0;
                    return fd;
                }

                errno = Marshal.GetLastPInvokeError();
                fd.Dispose();
                if (errno != Errno.EINTR)
                {
                    return null;
                }
            }
        }
    }

    /// <summary>The root directory, opened once for the *at calls (the process keeps it while this object lives).</summary>
    private unsafe SafeFileDescriptor? RootDescriptor(out int errno)
    {
        errno = 0;
        lock (_rootGate)
        {
            if (_rootDescriptor is null)
            {
                byte[] bytes = Files.ReplacementFile.Terminated(Root);
                fixed (byte* pointer = bytes)
                {
                    var fd = Interop.Libc.Open(pointer, Interop.Libc.O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0);
                    if (fd.IsInvalid)
                    {
                        errno = Marshal.GetLastPInvokeError();
                        fd.Dispose();
                        return null;
                    }

                    _rootDescriptor = fd;
                }
            }

            return _rootDescriptor;
        }
    }

    /// <summary>Writes directory [+ '/' + name] + NUL as UTF-8 (a host path; the root is applied when it is opened); false when it does not fit PATH_MAX.</summary>
    private bool TryBuildPath(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, Span<byte> path)
    {
        PathObserver?.Invoke(name.IsEmpty ? directory.ToString() : string.Concat(directory, "/", name));
        int needed = Encoding.UTF8.GetMaxByteCount(directory.Length + name.Length) + 2;
        if (needed > path.Length
            && Encoding.UTF8.GetByteCount(directory) + Encoding.UTF8.GetByteCount(name) + 2 > path.Length)
        {
            return false;
        }

        int length = Encoding.UTF8.GetBytes(directory, path);
        if (!name.IsEmpty)
        {
            path[length++] = (byte)'/';
            length += Encoding.UTF8.GetBytes(name, path[length..]);
        }

        path[length] = 0;
        return true;
    }

    private static void CheckHostPath(string hostPath)
    {
        if (hostPath.Length == 0 || hostPath[0] != '/')
        {
            throw new ArgumentException($"Host paths are absolute: '{hostPath}'.", nameof(hostPath));
        }
    }
}
