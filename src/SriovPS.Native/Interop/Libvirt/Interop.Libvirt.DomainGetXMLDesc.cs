namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainGetXMLDesc: a malloc'd string the caller frees.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetXMLDesc")]
        internal static partial IntPtr DomainGetXMLDesc(SafeLibvirtDomainHandle domain, uint flags);
    }
}
