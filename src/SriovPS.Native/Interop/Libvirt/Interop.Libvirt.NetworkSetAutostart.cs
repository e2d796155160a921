namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkSetAutostart.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkSetAutostart")]
        internal static partial int NetworkSetAutostart(SafeLibvirtNetworkHandle network, int autostart);
    }
}
