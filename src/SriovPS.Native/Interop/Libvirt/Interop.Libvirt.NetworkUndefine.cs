namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virNetworkUndefine.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virNetworkUndefine")]
        internal static partial int NetworkUndefine(SafeLibvirtNetworkHandle network);
    }
}
