namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNodeDeviceGetXMLDesc: a malloc'd string the caller frees.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNodeDeviceGetXMLDesc")]
        internal static partial IntPtr NodeDeviceGetXMLDesc(SafeLibvirtNodeDeviceHandle device, uint flags);
    }
}
