namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virGetLastError: this thread's last error (a virErrorPtr owned by libvirt), or NULL.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virGetLastError")]
        internal static partial IntPtr GetLastError();
    }
}
