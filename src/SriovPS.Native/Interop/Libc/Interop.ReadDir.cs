namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// Offset of d_name in struct dirent on 64-bit Linux, glibc and musl alike: d_ino and d_off
        /// (8 bytes each), d_reclen (2), d_type (1). See dirent.h / bits/dirent.h.
        /// </summary>
        internal const int DirentNameOffset = 19;

        /// <summary>readdir(3): the next struct dirent*, or null at the end (or on an error, with errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "readdir", SetLastError = true)]
        internal static partial IntPtr ReadDir(SafeDirectoryHandle directory);
    }
}
