namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainDestroy: stops a guest at once.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainDestroy")]
        internal static partial int DomainDestroy(SafeLibvirtDomainHandle domain);
    }
}
