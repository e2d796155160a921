namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virDomainLookupByName.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainLookupByName", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtDomainHandle DomainLookupByName(SafeLibvirtConnectionHandle connection, string name);
    }
}
