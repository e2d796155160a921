namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/fcntl.h and include/uapi/linux/stat.h. statx's layout is the same on every
        // architecture, unlike struct stat's.
        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_EMPTY_PATH = 0x1000;
        internal const uint STATX_MODE = 0x2;
        internal const uint STATX_UID = 0x8;
        internal const uint STATX_GID = 0x10;
        internal const uint STATX_MTIME = 0x40;
        internal const uint STATX_INO = 0x100;
        internal const uint STATX_SIZE = 0x200;
        internal const int StatxSize = 256;
        internal const int StatxUidOffset = 20;
        internal const int StatxGidOffset = 24;
        internal const int StatxModeOffset = 28;
        internal const int StatxInoOffset = 32;
        internal const int StatxSizeOffset = 40;
        internal const int StatxMtimeOffset = 112;
        internal const int StatxDevMajorOffset = 136;
        internal const int StatxDevMinorOffset = 140;

        /// <summary>statx(2) into a <see cref="StatxSize"/>-byte buffer.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true)]
        internal static unsafe partial int Statx(SafeFileDescriptor directory, byte* path, int flags, uint mask, byte* buffer);
    }
}
