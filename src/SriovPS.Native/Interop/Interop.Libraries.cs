namespace SriovPS.Native;

internal static partial class Interop
{
    /// <summary>
    /// Logical library names, resolved to real sonames by <see cref="NativeLibraryResolver"/> when the
    /// assembly loads: "libc" alone would make the runtime try libc.so, which on a machine with the C
    /// development files is a linker script, not a library.
    /// </summary>
    internal static class Libraries
    {
        internal const string Libc = "sriovps-libc";

        /// <summary>libvirt.so.0 (Debian package libvirt0), loaded by <see cref="Libvirt.LibvirtLibrary"/>.</summary>
        internal const string Libvirt = "sriovps-libvirt";
    }
}
