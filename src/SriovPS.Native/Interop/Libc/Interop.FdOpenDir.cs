using System.Runtime.InteropServices;

namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>fdopendir(3): a DIR* that takes over <paramref name="fd"/> (closed with the DIR*), or null with errno.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "fdopendir", SetLastError = true)]
        internal static partial SafeDirectoryHandle FdOpenDir(int fd);
    }
}
