namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/sched.h
        internal const int CLONE_NEWNET = 0x40000000;

        /// <summary>
        /// unshare(2): moves the calling thread (not the process) into new namespaces; 0, or -1 with errno.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "unshare", SetLastError = true)]
        internal static partial int Unshare(int flags);
    }
}
