using System.Runtime.InteropServices;

namespace SriovPS.Native;

/// <summary>A file descriptor (a socket here), closed with close(2). Descriptor 0 is valid; -1 is not.</summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    internal SafeFileDescriptor(int fd)
        : this() => SetHandle(fd);

    public override bool IsInvalid => handle < 0;

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Libc.Close((int)handle) == 0;
}
