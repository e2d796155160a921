namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>linkat(2) without AT_SYMLINK_FOLLOW: a second name for a file, each relative to a directory descriptor.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "linkat", SetLastError = true)]
        internal static unsafe partial int LinkAt(SafeFileDescriptor oldDirectory, byte* oldPath, SafeFileDescriptor newDirectory, byte* newPath, int flags);
    }
}
