namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>unlink(2).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "unlink", SetLastError = true)]
        internal static unsafe partial int Unlink(byte* path);
    }
}
