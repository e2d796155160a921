namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>getsockname(2): 0, or -1 with errno; <paramref name="length"/> is in and out.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
        internal static unsafe partial int GetSockName(SafeFileDescriptor fd, void* address, uint* length);
    }
}
