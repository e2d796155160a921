namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>send(2): bytes sent, or -1 with errno.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "send", SetLastError = true)]
        internal static unsafe partial nint Send(SafeFileDescriptor fd, byte* buffer, nuint length, int flags);
    }
}
