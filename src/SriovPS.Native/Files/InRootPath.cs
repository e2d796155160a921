using System.Collections.Generic;
using System.Text;

namespace SriovPS.Native.Files;

/// <summary>
/// Opens a path of a copied host tree with every component resolved inside the tree, as the host
/// itself would resolve it: an absolute link target starts again at the tree's root, and <c>..</c>
/// never climbs above it, so nothing outside the tree is read, written or even looked at.
/// <para>
/// A path is first opened with openat2(2) and RESOLVE_BENEATH, which takes the common case (plain
/// components, relative links such as sysfs's) in one call. Links that start at <c>/</c> or climb
/// above the root make it fail with EXDEV; those paths, and every path on kernels before 5.6, are
/// walked here one component at a time (readlinkat, then openat with O_NOFOLLOW), with absolute
/// targets taken from the root and <c>..</c> stopped at it, as RESOLVE_IN_ROOT does.
/// </para>
/// A link whose target is not in the tree (a copied <c>/etc/default</c> pointing at
/// <c>/nix/store/…</c> or at another directory of the machine the tree was copied to) is reported as
/// <see cref="Errno.EXDEV"/>, not as a missing file: the caller says which link leads out.
/// </summary>
internal static class InRootPath
{
    /// <summary>The most links one path may go through, as the kernel allows (MAXSYMLINKS).</summary>
    private const int MaxLinks = 40;

    /// <summary>False forces the component walk even where openat2 exists (tests of the walk).</summary>
    internal static bool UseOpenAt2 { get; set; } = true;

    private static bool _openAt2Missing;

    /// <summary>
    /// Opens <paramref name="path"/> (NUL-terminated UTF-8, leading '/' ignored) below the directory
    /// <paramref name="root"/>. Returns the descriptor, or null and the errno in <paramref name="errno"/>;
    /// <see cref="Errno.EXDEV"/> when a link on the way has no target inside the root.
    /// </summary>
    public static unsafe SafeFileDescriptor? Open(SafeFileDescriptor root, byte* path, int flags, int mode, out int errno)
    {
        while (*path == (byte)'/')
        {
            path++;
        }

        if (*path == 0)
        {
            fixed (byte* dot = ".\0"u8)
            {
                return Open(root, dot, flags, mode, out errno);
            }
        }

        flags |= Interop.Libc.O_CLOEXEC;
        errno = 0;
        if (UseOpenAt2 && !_openAt2Missing)
        {
            var how = new Interop.Libc.OpenHow
            {
                Flags = (ulong)(uint)flags,
                Mode = (flags & Interop.Libc.O_CREAT) != 0 ? (ulong)mode : 0,
                Resolve = Interop.Libc.RESOLVE_BENEATH | Interop.Libc.RESOLVE_NO_MAGICLINKS,
            };

            for (int attempt = 0; attempt < 4; attempt++)
            {
                var fd = Interop.Libc.SysOpenAt2(Interop.Libc.SYS_openat2, root, path, &how, (nuint)sizeof(Interop.Libc.OpenHow));
                if (!fd.IsInvalid)
                {
                    errno = 0;
                    return fd;
                }

                errno = Marshal.GetLastPInvokeError();
                fd.Dispose();
                if (errno == Errno.ENOSYS)
                {
                    _openAt2Missing = true;
                    break;
                }

                // EAGAIN: a rename elsewhere in the tree raced the lookup; EXDEV: the walk below decides.
                if (errno is not (Errno.EAGAIN or Errno.EINTR))
                {
                    break;
                }
            }

            if (!_openAt2Missing && errno != Errno.EXDEV)
            {
                return null;
            }
        }

        string text = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(path));
        return Walk(root, text, flags, mode, out errno);
    }

    /// <summary>The component walk: RESOLVE_IN_ROOT done by hand, telling a link that leads out (EXDEV) from a missing file (ENOENT).</summary>
    internal static SafeFileDescriptor? Walk(SafeFileDescriptor root, string path, int flags, int mode, out int errno)
    {
        // Pending components as a stack (next on top); null marks the end of a link's target.
        var pending = new Stack<string?>();
        PushComponents(pending, path);
        var directories = new Stack<SafeFileDescriptor>();
        var openLinks = new Stack<bool>(); // one per link being followed: true when it started at '/' or climbed above the root
        int links = 0;
        bool noFollow = (flags & Interop.Libc.O_NOFOLLOW) != 0;
        try
        {
            while (true)
            {
                var current = directories.Count > 0 ? directories.Peek() : root;
                while (pending.Count > 0 && pending.Peek() is null)
                {
                    pending.Pop();
                    openLinks.Pop();
                }

                if (pending.Count == 0)
                {
                    return OpenLast(current, ".", flags, mode, leadsOut: false, out errno);
                }

                string name = pending.Pop()!;
                bool last = IsLast(pending);
                if (name == "..")
                {
                    if (directories.Count > 0)
                    {
                        directories.Pop().Dispose();
                    }
                    else if (openLinks.Count > 0)
                    {
                        // The link climbs above the root: it was written for another place.
                        MarkLeadingOut(openLinks);
                    }

                    if (last)
                    {
                        return OpenLast(directories.Count > 0 ? directories.Peek() : root, ".", flags, mode, false, out errno);
                    }

                    continue;
                }

                bool leadsOut = openLinks.Contains(true);
                string? target = ReadLinkAt(current, name, out int linkError);
                if (target is not null && !(last && noFollow))
                {
                    if (++links > MaxLinks)
                    {
                        errno = Errno.ELOOP;
                        return null;
                    }

                    bool absolute = target.StartsWith('/');
                    if (absolute)
                    {
                        while (directories.Count > 0)
                        {
                            directories.Pop().Dispose();
                        }
                    }

                    pending.Push(null);
                    openLinks.Push(absolute);
                    PushComponents(pending, target);
                    continue;
                }

                if (target is null && linkError is not (Errno.EINVAL or Errno.ENOENT))
                {
                    errno = linkError;
                    return null;
                }

                if (last)
                {
                    return OpenLast(current, name, flags | (target is null ? Interop.Libc.O_NOFOLLOW : 0), mode, leadsOut, out errno);
                }

                if (linkError == Errno.ENOENT)
                {
                    errno = leadsOut ? Errno.EXDEV : Errno.ENOENT;
                    return null;
                }

                var next = OpenAt(current, name, Interop.Libc.O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0, out errno);
                if (next is null)
                {
                    return null;
                }

                directories.Push(next);
            }
        }
        finally
        {
            while (directories.Count > 0)
            {
                directories.Pop().Dispose();
            }
        }
    }

    private static SafeFileDescriptor? OpenLast(SafeFileDescriptor directory, string name, int flags, int mode, bool leadsOut, out int errno)
    {
        var fd = OpenAt(directory, name, flags, mode, out errno);
        if (fd is null && errno == Errno.ENOENT && leadsOut)
        {
            errno = Errno.EXDEV;
        }

        return fd;
    }

    private static void MarkLeadingOut(Stack<bool> openLinks)
    {
        int count = openLinks.Count;
        openLinks.Clear();
        for (int i = 0; i < count; i++)
        {
            openLinks.Push(true);
        }
    }

    private static bool IsLast(Stack<string?> pending)
    {
        foreach (var item in pending)
        {
            if (item is not null)
            {
                return false;
            }
        }

        return true;
    }

    private static void PushComponents(Stack<string?> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] != ".")
            {
                pending.Push(parts[i]);
            }
        }
    }

    private static unsafe SafeFileDescriptor? OpenAt(SafeFileDescriptor directory, string name, int flags, int mode, out int errno)
    {
        byte[] bytes = Files.ReplacementFile.Terminated(name);
        fixed (byte* pointer = bytes)
        {
            while (true)
            {
                var fd = Interop.Libc.OpenAt(directory, pointer, flags, mode);
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

    /// <summary>The target of <paramref name="name"/> in <paramref name="directory"/>; null with EINVAL when it is not a link.</summary>
    private static unsafe string? ReadLinkAt(SafeFileDescriptor directory, string name, out int errno)
    {
        byte[] bytes = Files.ReplacementFile.Terminated(name);
        byte* target = stackalloc byte[HostFileSystem.PathBufferSize];
        nint length;
        fixed (byte* pointer = bytes)
        {
            length = Interop.Libc.ReadLinkAt(directory, pointer, target, HostFileSystem.PathBufferSize);
        }

        if (length < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return Encoding.UTF8.GetString(target, (int)length);
    }
}
