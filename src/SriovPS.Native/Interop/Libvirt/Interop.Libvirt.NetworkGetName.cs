namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkGetName: a string owned by the network object.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkGetName")]
        internal static partial IntPtr NetworkGetName(SafeLibvirtNetworkHandle network);
    }
}
