namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkGetXMLDesc: a malloc'd string the caller frees.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkGetXMLDesc")]
        internal static partial IntPtr NetworkGetXMLDesc(SafeLibvirtNetworkHandle network, uint flags);
    }
}
