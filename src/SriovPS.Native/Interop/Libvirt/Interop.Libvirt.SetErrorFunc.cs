namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virSetErrorFunc: replaces the default handler, which prints every error to stderr.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virSetErrorFunc")]
        internal static unsafe partial void SetErrorFunc(IntPtr userData, delegate* unmanaged<IntPtr, IntPtr, void> handler);
    }
}
