namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virEventRunDefaultImpl: one iteration of that loop (keepalive replies, events).</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virEventRunDefaultImpl")]
        internal static partial int EventRunDefaultImpl();
    }
}
