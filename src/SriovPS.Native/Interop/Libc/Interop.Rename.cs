namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>rename(2): atomically replaces <paramref name="newPath"/> on the same filesystem.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "rename", SetLastError = true)]
        internal static unsafe partial int Rename(byte* oldPath, byte* newPath);
    }
}
