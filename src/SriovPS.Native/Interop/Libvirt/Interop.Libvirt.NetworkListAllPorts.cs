namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkListAllPorts: the network's ports (one per guest interface plugged into it), an array the caller frees.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkListAllPorts")]
        internal static partial int NetworkListAllPorts(SafeLibvirtNetworkHandle network, out IntPtr ports, uint flags);
    }
}
