namespace SriovPS.Native;

/// <summary>The errno values the module tells apart (include/uapi/asm-generic/errno-base.h).</summary>
internal static class Errno
{
    internal const int EINTR = 4;
}
