namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>ftruncate(2); off_t is 64 bits on the 64-bit platforms the module runs on.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "ftruncate", SetLastError = true)]
        internal static partial int FTruncate(SafeFileDescriptor fd, long length);
    }
}
