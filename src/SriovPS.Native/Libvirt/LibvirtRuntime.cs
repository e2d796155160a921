using System.Threading;

namespace SriovPS.Native.Libvirt;

/// <summary>
/// What libvirt needs once per process before the first connection: its error printer silenced (the
/// module reports errors itself, as <see cref="LibvirtException"/>), and its default event loop
/// registered and run on a background thread, so keepalive pings from libvirtd are answered and a
/// connection kept for the session is not dropped while idle.
/// </summary>
internal static class LibvirtRuntime
{
    private static readonly object Gate = new();
    private static bool s_started;

    internal static void EnsureStarted()
    {
        LibvirtLibrary.EnsureLoaded();
        lock (Gate)
        {
            if (s_started)
            {
                return;
            }

            unsafe
            {
                Interop.Libvirt.SetErrorFunc(IntPtr.Zero, &IgnoreError);
            }

            if (Interop.Libvirt.EventRegisterDefaultImpl() < 0)
            {
                throw LastError("virEventRegisterDefaultImpl");
            }

            var loop = new Thread(RunEventLoop) { IsBackground = true, Name = "libvirt event loop" };
            loop.Start();
            s_started = true;
        }
    }

    /// <summary>This thread's last libvirt error as an exception, read at once (it is thread-local and the next call resets it).</summary>
    internal static LibvirtException LastError(string operation)
    {
        var error = Interop.Libvirt.GetLastError();
        if (error == IntPtr.Zero)
        {
            return new LibvirtException(operation, LibvirtErrorCodes.InternalError, 0, "libvirt reported a failure without an error");
        }

        var record = Marshal.PtrToStructure<VirError>(error);
        return new LibvirtException(operation, record.Code, record.Domain, Marshal.PtrToStringUTF8(record.Message));
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(IntPtr userData, IntPtr error)
    {
    }

    private static void RunEventLoop()
    {
        while (Interop.Libvirt.EventRunDefaultImpl() == 0)
        {
        }
    }

    /// <summary>The leading fields of struct _virError (include/libvirt/virterror.h); the rest is never read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct VirError
    {
        public int Code;
        public int Domain;
        public IntPtr Message;
    }
}
