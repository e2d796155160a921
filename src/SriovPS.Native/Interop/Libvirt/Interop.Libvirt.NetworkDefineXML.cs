namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkDefineXML: defines (or redefines) a persistent network.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkDefineXML", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtNetworkHandle NetworkDefineXML(SafeLibvirtConnectionHandle connection, string xml);
    }
}
