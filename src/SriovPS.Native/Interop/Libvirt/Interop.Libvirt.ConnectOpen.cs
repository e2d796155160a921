namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>virConnectOpen: a read-write connection to <paramref name="name"/>, or NULL.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectOpen", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeLibvirtConnectionHandle ConnectOpen(string name);
    }
}
