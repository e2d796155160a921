namespace SriovPS.Native;

/// <summary>The errno values the module tells apart (include/uapi/asm-generic/errno-base.h and errno.h).</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int ENODEV = 19;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int EROFS = 30;
    internal const int ERANGE = 34;
    internal const int ENAMETOOLONG = 36;
    internal const int ENOSYS = 38;
    internal const int ELOOP = 40;
    internal const int EMSGSIZE = 90;
    internal const int EPROTONOSUPPORT = 93;
    internal const int EOPNOTSUPP = 95;
    internal const int ENOBUFS = 105;
    internal const int ETIMEDOUT = 110;

    /// <summary>The C library's text for an errno value, as strerror(3) gives it.</summary>
    internal static string Describe(int errno) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
}
