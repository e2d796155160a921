namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virEventRegisterDefaultImpl: installs libvirt's own poll loop; must precede the first open.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virEventRegisterDefaultImpl")]
        internal static partial int EventRegisterDefaultImpl();
    }
}
