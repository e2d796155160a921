namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainGetName: a string owned by the domain object.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetName")]
        internal static partial IntPtr DomainGetName(SafeLibvirtDomainHandle domain);
    }
}
