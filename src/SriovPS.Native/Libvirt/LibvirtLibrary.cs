namespace SriovPS.Native.Libvirt;

/// <summary>
/// The file behind the logical name <see cref="Interop.Libraries.Libvirt"/>: libvirt.so.0, loaded when
/// the assembly loads. When it is missing nothing else fails; only libvirt calls, which check
/// <see cref="EnsureLoaded"/> first, so the runtime never meets an unresolvable import.
/// </summary>
internal static class LibvirtLibrary
{
    internal const string Soname = "libvirt.so.0";

    /// <summary>The Debian package that ships <see cref="Soname"/>.</summary>
    internal const string Package = "libvirt0";

    private static readonly object Gate = new();
    private static IntPtr s_handle;
    private static string s_fileName = Soname;
    private static string? s_failure;

    /// <summary>The loaded library, or zero.</summary>
    internal static IntPtr Handle => s_handle;

    /// <summary>Points the logical name at <paramref name="fileName"/> and loads it (a missing file is remembered, not thrown).</summary>
    internal static void BindTo(string fileName)
    {
        lock (Gate)
        {
            s_fileName = fileName;
            if (NativeLibrary.TryLoad(fileName, out var handle))
            {
                s_handle = handle;
                s_failure = null;
            }
            else
            {
                s_handle = IntPtr.Zero;
                // TryLoad says nothing about why; Load's exception does.
                try
                {
                    NativeLibrary.Free(NativeLibrary.Load(fileName));
                    s_failure = null;
                }
                catch (DllNotFoundException e)
                {
                    s_failure = e.Message;
                }
            }
        }
    }

    /// <summary>Throws <see cref="LibvirtNotInstalledException"/> when the library is not loaded.</summary>
    internal static void EnsureLoaded()
    {
        if (s_handle == IntPtr.Zero)
        {
            throw new LibvirtNotInstalledException(s_fileName, s_failure);
        }
    }
}
