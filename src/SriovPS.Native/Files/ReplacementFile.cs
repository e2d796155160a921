using System.Security.Cryptography;
using System.Text;

namespace SriovPS.Native.Files;

/// <summary>
/// The new content of a file, written beside it and swapped in with rename(2), so a reader sees the old
/// file or the new one, never a half-written one, and a crash leaves the old one. The temporary file
/// takes the original's owner and mode and reaches the disk (fsync) before the swap; the original stays
/// reachable under a backup name (a hard link). Every name is taken in a directory the caller opened
/// (resolved inside the host's root), and never through a link. Failures are errno values, with the
/// step that failed: the caller decides what they mean.
/// </summary>
internal sealed class ReplacementFile : IDisposable
{
    /// <summary>The mode of a file that did not exist before.</summary>
    public const uint NewFileMode = 0b110_100_100; // 0644

    private readonly SafeFileDescriptor _directory;
    private readonly string _name;
    private string? _temporaryName;

    private ReplacementFile(SafeFileDescriptor directory, string name, string temporaryName)
    {
        _directory = directory;
        _name = name;
        _temporaryName = temporaryName;
    }

    /// <summary>The step that failed, for messages: "open", "create", "write", "fsync", "chmod", "chown", "link", "rename".</summary>
    public string? FailedStep { get; private set; }

    /// <summary>The file-type bits of a mode (S_IFMT) and the type of a regular file (S_IFREG).</summary>
    public const uint FileTypeMask = 0xF000;
    public const uint RegularFile = 0x8000;

    /// <summary>
    /// Owner, group and mode (type and permission bits) of <paramref name="path"/> (not following a final link).
    /// Returns 0, <see cref="Errno.ENOENT"/> when it does not exist, or another errno.
    /// </summary>
    public static int Stat(string path, out uint owner, out uint group, out uint mode)
    {
        using var workingDirectory = SafeFileDescriptor.WorkingDirectory();
        return Stat(workingDirectory, path, out owner, out group, out mode);
    }

    /// <summary>As <see cref="Stat(string, out uint, out uint, out uint)"/>, for <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static unsafe int Stat(SafeFileDescriptor directory, string name, out uint owner, out uint group, out uint mode)
    {
        owner = group = mode = 0;
        byte* buffer = stackalloc byte[Interop.Libc.StatxSize];
        byte[] nameBytes = Terminated(name);
        int result;
        fixed (byte* namePointer = nameBytes)
        {
            result = Interop.Libc.Statx(
                directory,
                namePointer,
                Interop.Libc.AT_SYMLINK_NOFOLLOW,
                Interop.Libc.STATX_MODE | Interop.Libc.STATX_UID | Interop.Libc.STATX_GID,
                buffer);
        }

        if (result != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        owner = *(uint*)(buffer + Interop.Libc.StatxUidOffset);
        group = *(uint*)(buffer + Interop.Libc.StatxGidOffset);
        mode = *(ushort*)(buffer + Interop.Libc.StatxModeOffset);
        return 0;
    }

    /// <summary>
    /// Whether this process may write <paramref name="name"/> in <paramref name="directory"/>,
    /// found by opening it for writing (without truncating, never through a link) and closing it again:
    /// the kernel's answer covers root, capabilities, ACLs, read-only mounts and immutable files alike.
    /// Returns 0 or the errno.
    /// </summary>
    public static unsafe int TryOpenForWriting(SafeFileDescriptor directory, string name)
    {
        byte[] nameBytes = Terminated(name);
        fixed (byte* namePointer = nameBytes)
        {
            while (true)
            {
                using var fd = Interop.Libc.OpenAt(directory, namePointer, Interop.Libc.O_WRONLY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0);
                int errno = fd.IsInvalid ? Marshal.GetLastPInvokeError() : 0;
                if (errno != Errno.EINTR)
                {
                    return errno;
                }
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new temporary file beside <paramref name="name"/> in
    /// <paramref name="directory"/> with the given owner and mode (owner <c>null</c>: this process's), on
    /// disk when this returns. Returns 0 and the prepared file, or an errno and <paramref name="failedStep"/>;
    /// nothing is left behind on failure. The directory must stay open until the file is committed or disposed.
    /// </summary>
    public static unsafe int Prepare(
        SafeFileDescriptor directory, string name, ReadOnlySpan<byte> content, (uint Owner, uint Group)? ownership, uint mode,
        out ReplacementFile? prepared, out string? failedStep)
    {
        prepared = null;
        string temporary = $".{name}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}.tmp";
        byte[] temporaryBytes = Terminated(temporary);
        SafeFileDescriptor fd;
        fixed (byte* pathPointer = temporaryBytes)
        {
            // 0600 until it is complete; fchmod gives it the final mode.
            fd = Interop.Libc.OpenAt(
                directory, pathPointer, Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_EXCL | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0b110_000_000);
        }

        int errno;
        if (fd.IsInvalid)
        {
            errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            failedStep = "create";
            return errno;
        }

        var file = new ReplacementFile(directory, name, temporary);
        using (fd)
        {
            errno = WriteAll(fd, content, out failedStep);
            if (errno == 0 && Interop.Libc.FChmod(fd, mode & 0b111_111_111_111) != 0)
            {
                (errno, failedStep) = (Marshal.GetLastPInvokeError(), "chmod");
            }

            if (errno == 0 && ownership is { } owner && Interop.Libc.FChown(fd, owner.Owner, owner.Group) != 0)
            {
                (errno, failedStep) = (Marshal.GetLastPInvokeError(), "chown");
            }

            if (errno == 0 && Interop.Libc.FSync(fd) != 0)
            {
                (errno, failedStep) = (Marshal.GetLastPInvokeError(), "fsync");
            }
        }

        if (errno != 0)
        {
            file.Dispose();
            return errno;
        }

        prepared = file;
        return 0;
    }

    /// <summary>
    /// Keeps the present file as <paramref name="backupName"/> in <paramref name="backupDirectory"/> (when
    /// it exists and a backup is asked for), then renames the new content over it and syncs the directory.
    /// Returns 0 or an errno with <see cref="FailedStep"/>; on failure the original is untouched.
    /// </summary>
    public unsafe int Commit(SafeFileDescriptor? backupDirectory, string? backupName)
    {
        string temporary = _temporaryName ?? throw new InvalidOperationException("The replacement was already committed or discarded.");
        byte[] nameBytes = Terminated(_name);
        if (backupDirectory is not null && backupName is not null)
        {
            // link(2) will not replace a name, so the backup is linked under a temporary name and renamed
            // over the previous one: a failure keeps the previous backup.
            byte[] backupBytes = Terminated(backupName);
            byte[] linkBytes = Terminated(temporary + ".bak");
            fixed (byte* namePointer = nameBytes)
            fixed (byte* backupPointer = backupBytes)
            fixed (byte* linkPointer = linkBytes)
            {
                if (Interop.Libc.LinkAt(_directory, namePointer, backupDirectory, linkPointer, 0) != 0)
                {
                    int linkError = Marshal.GetLastPInvokeError();
                    if (linkError != Errno.ENOENT)
                    {
                        FailedStep = "link the backup";
                        return linkError;
                    }
                }
                else if (Interop.Libc.RenameAt(backupDirectory, linkPointer, backupDirectory, backupPointer) != 0)
                {
                    int renameError = Marshal.GetLastPInvokeError();
                    Interop.Libc.UnlinkAt(backupDirectory, linkPointer, 0);
                    FailedStep = "rename the backup";
                    return renameError;
                }
            }
        }

        byte[] temporaryBytes = Terminated(temporary);
        fixed (byte* temporaryPointer = temporaryBytes)
        fixed (byte* namePointer = nameBytes)
        {
            if (Interop.Libc.RenameAt(_directory, temporaryPointer, _directory, namePointer) != 0)
            {
                FailedStep = "rename";
                return Marshal.GetLastPInvokeError();
            }
        }

        _temporaryName = null;
        SyncDirectory(_directory);
        return 0;
    }

    /// <summary>Removes a replacement that was not committed.</summary>
    public unsafe void Dispose()
    {
        if (_temporaryName is { } temporary)
        {
            _temporaryName = null;
            byte[] bytes = Terminated(temporary);
            fixed (byte* pointer = bytes)
            {
                Interop.Libc.UnlinkAt(_directory, pointer, 0);
            }
        }
    }

    /// <summary>
    /// Removes <paramref name="name"/> from <paramref name="directory"/>, keeping it as <paramref name="backupName"/>
    /// in <paramref name="backupDirectory"/>. Returns 0 or an errno.
    /// </summary>
    public static unsafe int RemoveKeepingBackup(SafeFileDescriptor directory, string name, SafeFileDescriptor backupDirectory, string backupName)
    {
        byte[] nameBytes = Terminated(name);
        byte[] backupBytes = Terminated(backupName);
        fixed (byte* namePointer = nameBytes)
        fixed (byte* backupPointer = backupBytes)
        {
            // rename(2) replaces an older backup and removes the name in one step.
            if (Interop.Libc.RenameAt(directory, namePointer, backupDirectory, backupPointer) != 0)
            {
                return Marshal.GetLastPInvokeError();
            }
        }

        SyncDirectory(directory);
        return 0;
    }

    private static unsafe int WriteAll(SafeFileDescriptor fd, ReadOnlySpan<byte> content, out string? failedStep)
    {
        failedStep = null;
        fixed (byte* start = content)
        {
            int written = 0;
            while (written < content.Length)
            {
                nint result = Interop.Libc.Write(fd, start + written, (nuint)(content.Length - written));
                if (result < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    failedStep = "write";
                    return errno;
                }

                written += (int)result;
            }
        }

        return 0;
    }

    /// <summary>Makes a rename in a directory durable; a failure here loses nothing already written.</summary>
    private static unsafe void SyncDirectory(SafeFileDescriptor directory)
    {
        SafeFileDescriptor fd;
        fixed (byte* pointer = ".\0"u8)
        {
            // The caller's descriptor may be O_PATH, which fsync refuses.
            fd = Interop.Libc.OpenAt(directory, pointer, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0);
        }

        using (fd)
        {
            if (!fd.IsInvalid)
            {
                Interop.Libc.FSync(fd);
            }
        }
    }

    /// <summary>A path as the C library takes it: UTF-8 with a terminating NUL.</summary>
    internal static byte[] Terminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
