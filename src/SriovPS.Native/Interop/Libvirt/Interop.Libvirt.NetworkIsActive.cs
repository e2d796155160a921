namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkIsActive: 1, 0, or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkIsActive")]
        internal static partial int NetworkIsActive(SafeLibvirtNetworkHandle network);
    }
}
