namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkCreate: starts a defined network.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkCreate")]
        internal static partial int NetworkCreate(SafeLibvirtNetworkHandle network);
    }
}
