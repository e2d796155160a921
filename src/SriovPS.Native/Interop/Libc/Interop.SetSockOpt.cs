namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/asm-generic/socket.h
        internal const int SOL_SOCKET = 1;
        internal const int SO_RCVTIMEO = 20;

        /// <summary>setsockopt(2): 0, or -1 with errno.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int SetSockOpt(SafeFileDescriptor fd, int level, int name, void* value, uint length);
    }
}
