namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkFree.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkFree")]
        internal static partial int NetworkFree(IntPtr network);
    }
}
