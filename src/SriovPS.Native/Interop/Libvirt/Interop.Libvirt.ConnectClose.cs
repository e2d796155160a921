namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virConnectClose: drops one reference; returns the references left, or -1.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectClose")]
        internal static partial int ConnectClose(IntPtr connection);
    }
}
