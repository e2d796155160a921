namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virConnectListAllDomains: an array of virDomainPtr the caller frees; returns the count or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectListAllDomains")]
        internal static partial int ConnectListAllDomains(SafeLibvirtConnectionHandle connection, out IntPtr domains, uint flags);
    }
}
