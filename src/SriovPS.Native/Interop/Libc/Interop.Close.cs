using System.Runtime.InteropServices;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>close(2).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
