namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>mkdirat(2): a new directory relative to a directory descriptor.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "mkdirat", SetLastError = true)]
        internal static unsafe partial int MkdirAt(SafeFileDescriptor directory, byte* path, int mode);
    }
}
