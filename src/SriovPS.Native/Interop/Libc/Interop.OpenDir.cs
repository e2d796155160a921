namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>opendir(3): a DIR*, or null with errno. <paramref name="path"/> is NUL-terminated UTF-8.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "opendir", SetLastError = true)]
        internal static unsafe partial SafeDirectoryHandle OpenDir(byte* path);
    }
}
