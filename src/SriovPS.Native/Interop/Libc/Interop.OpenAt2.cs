namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/openat2.h: struct open_how and the RESOLVE_* flags (Linux 5.6).
        internal const long SYS_openat2 = 437; // the same number on every architecture
        internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
        internal const ulong RESOLVE_BENEATH = 0x08;
        internal const ulong RESOLVE_IN_ROOT = 0x10;

        [StructLayout(LayoutKind.Sequential)]
        internal struct OpenHow
        {
            public ulong Flags;
            public ulong Mode;
            public ulong Resolve;
        }

        /// <summary>openat2(2), which the C library may not wrap: the new descriptor, invalid with errno on failure (ENOSYS before Linux 5.6).</summary>
        // syscall(2) takes and returns long, the handle's own width, so the default SafeHandle marshalling is exact here.
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial SafeFileDescriptor SysOpenAt2(long number, SafeFileDescriptor directory, byte* path, OpenHow* how, nuint size);
    }
}
