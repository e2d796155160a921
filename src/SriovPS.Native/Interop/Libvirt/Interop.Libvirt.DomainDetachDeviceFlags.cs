namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainDetachDeviceFlags: flags VIR_DOMAIN_AFFECT_LIVE/CONFIG.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainDetachDeviceFlags", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int DomainDetachDeviceFlags(SafeLibvirtDomainHandle domain, string xml, uint flags);
    }
}
