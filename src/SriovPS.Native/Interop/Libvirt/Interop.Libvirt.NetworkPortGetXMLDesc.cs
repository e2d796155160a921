namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkPortGetXMLDesc: a malloc'd string the caller frees.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkPortGetXMLDesc")]
        internal static partial IntPtr NetworkPortGetXMLDesc(SafeLibvirtNetworkPortHandle port, uint flags);
    }
}
