namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>link(2): a second name for an existing file; both paths NUL-terminated UTF-8.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "link", SetLastError = true)]
        internal static unsafe partial int Link(byte* existing, byte* newPath);
    }
}
