namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkGetAutostart.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkGetAutostart")]
        internal static partial int NetworkGetAutostart(SafeLibvirtNetworkHandle network, out int autostart);
    }
}
