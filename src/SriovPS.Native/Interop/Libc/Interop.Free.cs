namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>free(3): releases strings and arrays that libvirt allocated for the caller.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "free")]
        internal static partial void Free(IntPtr pointer);
    }
}
