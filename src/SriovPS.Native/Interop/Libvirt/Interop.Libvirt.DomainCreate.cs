namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainCreate: starts a defined guest.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainCreate")]
        internal static partial int DomainCreate(SafeLibvirtDomainHandle domain);
    }
}
