namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNodeDeviceLookupByName: by libvirt's device name (pci_0000_04_00_0).</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNodeDeviceLookupByName", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtNodeDeviceHandle NodeDeviceLookupByName(SafeLibvirtConnectionHandle connection, string name);
    }
}
