using System.Text;

namespace SriovPS.Native.Files;

/// <summary>An open lock file and its flock(2) lock, released when the descriptor closes (also when the process dies).</summary>
internal sealed class LockFile : IDisposable
{
    private readonly SafeFileDescriptor _descriptor;

    private LockFile(SafeFileDescriptor descriptor) => _descriptor = descriptor;

    /// <summary>
    /// Opens (creating) <paramref name="name"/> in the directory <paramref name="directory"/>, never through
    /// a link; read-only when it exists but is not writable, since flock needs no write access. Returns 0
    /// and the file, or an errno (<see cref="Errno.ELOOP"/>: it is a link).
    /// </summary>
    public static unsafe int Open(SafeFileDescriptor directory, string name, out LockFile? file)
    {
        file = null;
        byte[] bytes = ReplacementFile.Terminated(name);
        SafeFileDescriptor fd;
        fixed (byte* pointer = bytes)
        {
            // Never through a link: the lock lives in a directory anyone may write to.
            int flags = Interop.Libc.O_CLOEXEC | Interop.Libc.O_NOFOLLOW;
            fd = Interop.Libc.OpenAt(directory, pointer, Interop.Libc.O_RDWR | Interop.Libc.O_CREAT | flags, 0b110_100_100);
            if (fd.IsInvalid && Marshal.GetLastPInvokeError() == Errno.EACCES)
            {
                fd.Dispose();
                fd = Interop.Libc.OpenAt(directory, pointer, Interop.Libc.O_RDONLY | flags, 0);
            }
        }

        if (fd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            return errno;
        }

        file = new LockFile(fd);
        return 0;
    }

    /// <summary>
    /// Whether <paramref name="name"/> in <paramref name="directory"/> is still this file: a holder that
    /// removes the file when done leaves a waiter locking a file nobody else will open again.
    /// </summary>
    public unsafe bool IsNamed(SafeFileDescriptor directory, string name)
    {
        byte* mine = stackalloc byte[Interop.Libc.StatxSize];
        byte* named = stackalloc byte[Interop.Libc.StatxSize];
        byte[] bytes = ReplacementFile.Terminated(name);
        fixed (byte* empty = "\0"u8)
        fixed (byte* pointer = bytes)
        {
            if (Interop.Libc.Statx(_descriptor, empty, Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_INO, mine) != 0
                || Interop.Libc.Statx(directory, pointer, Interop.Libc.AT_SYMLINK_NOFOLLOW, Interop.Libc.STATX_INO, named) != 0)
            {
                return false;
            }
        }

        return *(ulong*)(mine + Interop.Libc.StatxInoOffset) == *(ulong*)(named + Interop.Libc.StatxInoOffset)
            && *(ulong*)(mine + Interop.Libc.StatxDevMajorOffset) == *(ulong*)(named + Interop.Libc.StatxDevMajorOffset);
    }

    /// <summary>Takes the exclusive lock without waiting: 0, <see cref="Errno.EAGAIN"/> while another holds it, or another errno.</summary>
    public int TryLock()
    {
        while (true)
        {
            if (Interop.Libc.Flock(_descriptor, Interop.Libc.LOCK_EX | Interop.Libc.LOCK_NB) == 0)
            {
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return errno;
            }
        }
    }

    /// <summary>Replaces the file's content with <paramref name="text"/>; a hint for waiters, so failures are ignored.</summary>
    public unsafe void WriteText(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (Interop.Libc.FTruncate(_descriptor, 0) == 0)
        {
            fixed (byte* pointer = bytes)
            {
                Interop.Libc.Write(_descriptor, pointer, (nuint)bytes.Length);
            }
        }
    }

    public void Dispose() => _descriptor.Dispose();
}
