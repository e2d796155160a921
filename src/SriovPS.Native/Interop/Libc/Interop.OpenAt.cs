using System.Runtime.InteropServices.Marshalling;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>openat(2): <paramref name="path"/> relative to <paramref name="directory"/>; returns the new descriptor, invalid with errno on failure.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "openat", SetLastError = true)]
        [return: MarshalUsing(typeof(SafeFileDescriptor.IntReturnMarshaller))]
        internal static unsafe partial SafeFileDescriptor OpenAt(SafeFileDescriptor directory, byte* path, int flags, int mode);
    }
}
