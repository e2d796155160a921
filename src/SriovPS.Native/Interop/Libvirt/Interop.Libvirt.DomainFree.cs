namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainFree.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainFree")]
        internal static partial int DomainFree(IntPtr domain);
    }
}
