namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/asm-generic/fcntl.h
        internal const int LOCK_EX = 2;
        internal const int LOCK_NB = 4;

        /// <summary>flock(2): an advisory lock on a whole file, released when its last descriptor closes.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
        internal static partial int Flock(SafeFileDescriptor fd, int operation);
    }
}
