namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkPortFree.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkPortFree")]
        internal static partial int NetworkPortFree(IntPtr port);
    }
}
