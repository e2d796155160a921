using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SriovPS.Native.Files;

/// <summary>Whole files and directories of the host: opened, read, created and removed inside the root.</summary>
internal sealed partial class HostFileSystem
{
    private string? _resolvedRoot;

    /// <summary>Whether anything (file, directory, device, link) exists at a host path, following links inside the root.</summary>
    public bool Exists(string hostPath)
    {
        int errno = Open(hostPath, Interop.Libc.O_PATH, 0, out var fd);
        fd?.Dispose();
        return errno == 0;
    }

    /// <summary>
    /// Opens a host path (open(2) flags; O_CLOEXEC is added), resolved inside the root. Returns 0 and
    /// the descriptor, or the errno: <see cref="Errno.EXDEV"/> when a link on the way has no target inside the root.
    /// </summary>
    public int Open(string hostPath, int flags, int mode, out SafeFileDescriptor? descriptor)
    {
        CheckHostPath(hostPath);
        descriptor = null;
        Span<byte> path = stackalloc byte[PathBufferSize];
        if (!TryBuildPath(hostPath, [], path))
        {
            return Errno.ENAMETOOLONG;
        }

        descriptor = OpenPath(path, flags, mode, out int errno);
        return errno;
    }

    /// <summary>
    /// Opens the directory at a host path (O_PATH: for the *at calls), resolved inside the root; with
    /// <paramref name="create"/>, missing directories are made (0755) one component at a time, never
    /// through a link. <paramref name="created"/> hears the host paths of the directories made, outermost first.
    /// Returns 0 or the errno (<see cref="Errno.ENOTDIR"/>: a component is not a directory).
    /// </summary>
    public unsafe int OpenDirectory(string hostPath, bool create, out SafeFileDescriptor? descriptor, List<string>? created = null)
    {
        const int directoryFlags = Interop.Libc.O_PATH;
        int errno = Open(hostPath, directoryFlags | Interop.Libc.O_DIRECTORY, 0, out descriptor);
        if (errno != Errno.ENOENT || !create)
        {
            return errno;
        }

        // Made from the root down, each in the directory opened before it: a link put in the way is met by mkdirat's EEXIST and opened in the root.
        var parts = hostPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string prefix = "";
        errno = Open("/", directoryFlags | Interop.Libc.O_DIRECTORY, 0, out var parent);
        if (errno != 0)
        {
            return errno;
        }

        try
        {
            foreach (var part in parts)
            {
                prefix += "/" + part;
                errno = Open(prefix, directoryFlags | Interop.Libc.O_DIRECTORY, 0, out var next);
                if (errno == Errno.ENOENT)
                {
                    byte[] name = Files.ReplacementFile.Terminated(part);
                    fixed (byte* namePointer = name)
                    {
                        if (Interop.Libc.MkdirAt(parent!, namePointer, 0b111_101_101) == 0)
                        {
                            created?.Add(prefix);
                        }
                        else if (Marshal.GetLastPInvokeError() != Errno.EEXIST)
                        {
                            return Marshal.GetLastPInvokeError();
                        }
                    }

                    errno = Open(prefix, directoryFlags | Interop.Libc.O_DIRECTORY, 0, out next);
                }

                if (errno != 0)
                {
                    return errno;
                }

                parent!.Dispose();
                parent = next;
            }

            descriptor = parent;
            parent = null;
            return 0;
        }
        finally
        {
            parent?.Dispose();
        }
    }

    /// <summary>Removes the file (or empty directory) at a host path, never following a final link. Returns 0 or the errno.</summary>
    public unsafe int Remove(string hostPath, bool directory)
    {
        int errno = OpenDirectory(Path.GetDirectoryName(hostPath) ?? "/", create: false, out var parent);
        if (errno != 0)
        {
            return errno;
        }

        using (parent)
        {
            byte[] name = Files.ReplacementFile.Terminated(Path.GetFileName(hostPath));
            fixed (byte* pointer = name)
            {
                return Interop.Libc.UnlinkAt(parent!, pointer, directory ? Interop.Libc.AT_REMOVEDIR : 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
        }
    }

    /// <summary>
    /// A whole file at a host path (procfs files too, which report a size of 0). Returns 0 and its bytes,
    /// or the errno: <see cref="Errno.EISDIR"/> for a directory, <see cref="Errno.EINVAL"/> for what is
    /// neither file nor directory (a FIFO would block the reader), <see cref="Errno.EXDEV"/> for a link leading out.
    /// </summary>
    public unsafe int ReadAll(string hostPath, out byte[]? content)
    {
        content = null;
        int errno = Open(hostPath, Interop.Libc.O_RDONLY | Interop.Libc.O_NONBLOCK, 0, out var descriptor);
        if (errno != 0)
        {
            return errno;
        }

        using (descriptor)
        {
            errno = FileType(descriptor!, out uint type);
            if (errno != 0)
            {
                return errno;
            }

            if (type == DirectoryType)
            {
                return Errno.EISDIR;
            }

            if (type != RegularFileType)
            {
                return Errno.EINVAL;
            }

            var stream = new MemoryStream();
            byte* buffer = stackalloc byte[AttributeBufferSize];
            while (true)
            {
                nint read = Interop.Libc.Read(descriptor!, buffer, AttributeBufferSize);
                if (read < 0)
                {
                    int readError = Marshal.GetLastPInvokeError();
                    if (readError == Errno.EINTR)
                    {
                        continue;
                    }

                    return readError == Errno.EISDIR ? Errno.EISDIR : readError;
                }

                if (read == 0)
                {
                    break;
                }

                stream.Write(new ReadOnlySpan<byte>(buffer, (int)read));
            }

            content = stream.ToArray();
            return 0;
        }
    }

    /// <summary>
    /// The path on this machine that a host path resolves to inside the root, with no link left in it,
    /// to name the file (in a message, as a cache key); <c>null</c> when it does not exist or leads out
    /// of the root. Read the file through <see cref="ReadAll"/> and <see cref="Stamp"/>, not by this
    /// name: the BCL would follow links again, and one put there meanwhile could lead out of the root.
    /// </summary>
    public string? ResolvedPathOf(string hostPath)
    {
        if (IsLiveHost)
        {
            return Path.Exists(hostPath) ? hostPath : null;
        }

        if (Open(hostPath, Interop.Libc.O_PATH, 0, out var descriptor) != 0)
        {
            return null;
        }

        using (descriptor)
        {
            // The kernel's names of the open file and of the root: the root as spelled may run through links.
            string? resolved = KernelName(descriptor!);
            string? root = ResolvedRoot();
            return resolved is null || root is null ? null
                : root == "/" || resolved.StartsWith(root + "/", StringComparison.Ordinal) ? resolved
                : null;
        }
    }

    /// <summary>
    /// When the regular file at a host path was last written, and its length, resolved inside the root.
    /// Returns 0, or the errno (<see cref="Errno.EISDIR"/> for a directory, <see cref="Errno.EINVAL"/> for what is neither).
    /// </summary>
    public unsafe int Stamp(string hostPath, out DateTime writtenUtc, out long length)
    {
        writtenUtc = default;
        length = 0;
        int errno = Open(hostPath, Interop.Libc.O_PATH, 0, out var descriptor);
        if (errno != 0)
        {
            return errno;
        }

        using (descriptor)
        {
            byte* buffer = stackalloc byte[Interop.Libc.StatxSize];
            fixed (byte* empty = "\0"u8)
            {
                if (Interop.Libc.Statx(descriptor!, empty, Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_MODE | Interop.Libc.STATX_MTIME | Interop.Libc.STATX_SIZE, buffer) != 0)
                {
                    return Marshal.GetLastPInvokeError();
                }
            }

            uint type = *(ushort*)(buffer + Interop.Libc.StatxModeOffset) & 0xF000u;
            if (type != RegularFileType)
            {
                return type == DirectoryType ? Errno.EISDIR : Errno.EINVAL;
            }

            length = *(long*)(buffer + Interop.Libc.StatxSizeOffset);
            long seconds = *(long*)(buffer + Interop.Libc.StatxMtimeOffset);
            uint nanoseconds = *(uint*)(buffer + Interop.Libc.StatxMtimeOffset + 8);
            writtenUtc = DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
            return 0;
        }
    }

    /// <summary>The file-type bits (S_IFMT) of a regular file and of a directory.</summary>
    public const uint RegularFileType = 0x8000;
    public const uint DirectoryType = 0x4000;

    /// <summary>The file-type bits of an open descriptor. Returns 0 or the errno.</summary>
    public static unsafe int FileType(SafeFileDescriptor fd, out uint type)
    {
        type = 0;
        byte* buffer = stackalloc byte[Interop.Libc.StatxSize];
        fixed (byte* empty = "\0"u8)
        {
            if (Interop.Libc.Statx(fd, empty, Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_MODE, buffer) != 0)
            {
                return Marshal.GetLastPInvokeError();
            }
        }

        type = *(ushort*)(buffer + Interop.Libc.StatxModeOffset) & 0xF000u;
        return 0;
    }

    /// <summary>The kernel's name of the root directory, read once from its descriptor.</summary>
    private string? ResolvedRoot()
    {
        if (_resolvedRoot is null && RootDescriptor(out _) is { } root)
        {
            _resolvedRoot = KernelName(root);
        }

        return _resolvedRoot;
    }

    /// <summary>The kernel's name of an open descriptor's file, read from /proc/self/fd.</summary>
    private static string? KernelName(SafeFileDescriptor descriptor)
    {
        // The reference keeps the number naming this file while it is read: a descriptor closed
        // meanwhile could have its number reused for another file.
        bool added = false;
        descriptor.DangerousAddRef(ref added);
        try
        {
            return ReadLiveLink($"/proc/self/fd/{descriptor.DangerousGetHandle()}");
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    private static unsafe string? ReadLiveLink(string path)
    {
        byte[] bytes = Files.ReplacementFile.Terminated(path);
        byte* target = stackalloc byte[PathBufferSize];
        fixed (byte* pointer = bytes)
        {
            nint length = Interop.Libc.ReadLink(pointer, target, PathBufferSize);
            return length < 0 || length >= PathBufferSize ? null : Encoding.UTF8.GetString(target, (int)length);
        }
    }
}
