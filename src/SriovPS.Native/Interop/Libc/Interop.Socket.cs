using System.Runtime.InteropServices.Marshalling;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/linux/socket.h, include/linux/net.h, include/uapi/linux/netlink.h
        internal const int AF_NETLINK = 16;
        internal const int SOCK_RAW = 3;
        internal const int SOCK_CLOEXEC = 0x80000;
        internal const int NETLINK_ROUTE = 0;
        internal const int NETLINK_GENERIC = 16;

        /// <summary>socket(2): the new descriptor, invalid with errno on failure.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
        [return: MarshalUsing(typeof(SafeFileDescriptor.IntReturnMarshaller))]
        internal static partial SafeFileDescriptor Socket(int domain, int type, int protocol);
    }
}
