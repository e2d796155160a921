namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_REMOVEDIR = 0x200;

        /// <summary>unlinkat(2): removes a name (a directory with <see cref="AT_REMOVEDIR"/>) relative to a directory descriptor.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "unlinkat", SetLastError = true)]
        internal static unsafe partial int UnlinkAt(SafeFileDescriptor directory, byte* path, int flags);
    }
}
