namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkDestroy: stops a running network.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkDestroy")]
        internal static partial int NetworkDestroy(SafeLibvirtNetworkHandle network);
    }
}
