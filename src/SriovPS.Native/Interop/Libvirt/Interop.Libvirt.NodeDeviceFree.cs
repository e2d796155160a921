namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNodeDeviceFree.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNodeDeviceFree")]
        internal static partial int NodeDeviceFree(IntPtr device);
    }
}
