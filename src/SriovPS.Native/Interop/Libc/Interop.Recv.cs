namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/linux/socket.h
        internal const int MSG_PEEK = 0x2;
        internal const int MSG_TRUNC = 0x20;

        /// <summary>
        /// recv(2): bytes received, or -1 with errno. With MSG_TRUNC a datagram socket returns the
        /// datagram's full length even when the buffer is shorter.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
        internal static unsafe partial nint Recv(SafeFileDescriptor fd, byte* buffer, nuint length, int flags);
    }
}
