namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>readlinkat(2): the target of <paramref name="path"/> relative to <paramref name="directory"/> (not NUL-terminated), or -1 with errno (EINVAL: not a link).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "readlinkat", SetLastError = true)]
        internal static unsafe partial nint ReadLinkAt(SafeFileDescriptor directory, byte* path, byte* buffer, nuint size);
    }
}
