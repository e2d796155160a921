namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainDefineXML.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainDefineXML", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtDomainHandle DomainDefineXML(SafeLibvirtConnectionHandle connection, string xml);
    }
}
