namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkLookupByName.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkLookupByName", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtNetworkHandle NetworkLookupByName(SafeLibvirtConnectionHandle connection, string name);
    }
}
