using System.Runtime.InteropServices;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>openat(2): <paramref name="path"/> relative to <paramref name="directoryFd"/>; returns an fd or -1 with errno.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "openat", SetLastError = true)]
        internal static unsafe partial int OpenAt(int directoryFd, byte* path, int flags, int mode);
    }
}
