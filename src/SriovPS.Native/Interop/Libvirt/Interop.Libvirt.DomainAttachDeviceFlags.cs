namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainAttachDeviceFlags: flags VIR_DOMAIN_AFFECT_LIVE/CONFIG.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainAttachDeviceFlags", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int DomainAttachDeviceFlags(SafeLibvirtDomainHandle domain, string xml, uint flags);
    }
}
