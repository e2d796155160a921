namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainUndefine.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainUndefine")]
        internal static partial int DomainUndefine(SafeLibvirtDomainHandle domain);
    }
}
