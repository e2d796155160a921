namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>closedir(3).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "closedir")]
        internal static partial int CloseDir(IntPtr directory);
    }
}
