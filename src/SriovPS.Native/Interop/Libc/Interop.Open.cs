using System.Runtime.InteropServices.Marshalling;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/asm-generic/fcntl.h
        internal const int O_RDONLY = 0x0000;
        internal const int O_WRONLY = 0x0001;
        internal const int O_RDWR = 0x0002;
        internal const int O_CREAT = 0x0040;
        internal const int O_EXCL = 0x0080;
        internal const int O_TRUNC = 0x0200;
        internal const int O_NONBLOCK = 0x0800;
        internal const int O_CLOEXEC = 0x80000;

        /// <summary>O_PATH: a descriptor that only names a place (for the *at calls), opening nothing.</summary>
        internal const int O_PATH = 0x200000;

        /// <summary>O_DIRECTORY: the generic value, except on arm and arm64.</summary>
        internal static int O_DIRECTORY => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

        /// <summary>O_NOFOLLOW: the generic value, except on arm and arm64 (arch/arm64/include/uapi/asm/fcntl.h).</summary>
        internal static int O_NOFOLLOW => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

        /// <summary>open(2). <paramref name="path"/> is NUL-terminated UTF-8; returns the new descriptor, invalid with errno on failure.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true)]
        [return: MarshalUsing(typeof(SafeFileDescriptor.IntReturnMarshaller))]
        internal static unsafe partial SafeFileDescriptor Open(byte* path, int flags, int mode);
    }
}
