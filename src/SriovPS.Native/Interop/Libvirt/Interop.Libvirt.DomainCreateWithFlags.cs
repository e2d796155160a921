namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainCreateWithFlags: starts a defined guest, paused with VIR_DOMAIN_START_PAUSED.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainCreateWithFlags")]
        internal static partial int DomainCreateWithFlags(SafeLibvirtDomainHandle domain, uint flags);
    }
}
