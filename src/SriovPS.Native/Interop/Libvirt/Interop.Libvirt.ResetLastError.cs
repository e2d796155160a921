namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virResetLastError.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virResetLastError")]
        internal static partial void ResetLastError();
    }
}
