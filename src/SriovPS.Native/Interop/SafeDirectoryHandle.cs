using Microsoft.Win32.SafeHandles;

namespace SriovPS.Native;

/// <summary>A DIR* from opendir(3), closed with closedir(3).</summary>
internal sealed class SafeDirectoryHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeDirectoryHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => Interop.Libc.CloseDir(handle) == 0;
}
