namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virConnectIsAlive: 1 alive, 0 dead, -1 error.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectIsAlive")]
        internal static partial int ConnectIsAlive(SafeLibvirtConnectionHandle connection);
    }
}
