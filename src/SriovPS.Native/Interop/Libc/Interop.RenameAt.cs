namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>renameat(2): <see cref="Rename"/> with each name relative to a directory descriptor.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "renameat", SetLastError = true)]
        internal static unsafe partial int RenameAt(SafeFileDescriptor oldDirectory, byte* oldPath, SafeFileDescriptor newDirectory, byte* newPath);
    }
}
