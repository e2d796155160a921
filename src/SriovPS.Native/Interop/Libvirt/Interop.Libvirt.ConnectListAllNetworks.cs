namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virConnectListAllNetworks: an array of virNetworkPtr the caller frees; returns the count or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectListAllNetworks")]
        internal static partial int ConnectListAllNetworks(SafeLibvirtConnectionHandle connection, out IntPtr networks, uint flags);
    }
}
