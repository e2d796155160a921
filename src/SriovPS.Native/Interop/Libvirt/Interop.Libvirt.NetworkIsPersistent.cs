namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkIsPersistent: 1, 0, or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkIsPersistent")]
        internal static partial int NetworkIsPersistent(SafeLibvirtNetworkHandle network);
    }
}
