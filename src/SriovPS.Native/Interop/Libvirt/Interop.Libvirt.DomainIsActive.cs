namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainIsActive: 1, 0, or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainIsActive")]
        internal static partial int DomainIsActive(SafeLibvirtDomainHandle domain);
    }
}
