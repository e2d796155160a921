using System.Runtime.InteropServices.Marshalling;

namespace SriovPS.Native;

/// <summary>
/// A file descriptor (a file, a directory, a socket), closed with close(2). Descriptor 0 is valid; -1 is not.
/// The libc imports take it as a parameter, and the runtime holds a reference for the call's duration,
/// so a descriptor cannot be closed (and its number reused) while a call uses it. It reaches C as the
/// handle's pointer-sized value: a C <c>int</c> parameter reads the low 32 bits, which hold the number.
/// </summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    private SafeFileDescriptor(nint value, bool ownsHandle)
        : base(invalidHandleValue: -1, ownsHandle) => SetHandle(value);

    public override bool IsInvalid => handle < 0;

    /// <summary>
    /// AT_FDCWD for the *at calls: names relative to the working directory. Not a descriptor, so the
    /// handle does not own it (and reads as invalid): nothing ever closes it.
    /// </summary>
    internal static SafeFileDescriptor WorkingDirectory() => new(Interop.Libc.AT_FDCWD, ownsHandle: false);

    protected override bool ReleaseHandle() => Interop.Libc.Close((int)handle) == 0;

    /// <summary>
    /// Takes a descriptor that a C function returns as <c>int</c> (open, openat, socket). The default
    /// SafeHandle marshaller reads a pointer-sized return, whose upper half the C ABI leaves undefined
    /// for an <c>int</c>, so -1 could read as a large valid number. As with the default, the handle is
    /// made before the call, so a descriptor the call opens always has an owner.
    /// </summary>
    [CustomMarshaller(typeof(SafeFileDescriptor), MarshalMode.ManagedToUnmanagedOut, typeof(IntReturnMarshaller))]
    internal struct IntReturnMarshaller
    {
        private readonly SafeFileDescriptor _handle;
        private bool _initialized;

        public IntReturnMarshaller() => _handle = new SafeFileDescriptor();

        public void FromUnmanaged(int value)
        {
            _initialized = true;
            Marshal.InitHandle(_handle, value);
        }

        public readonly SafeFileDescriptor ToManaged() => _handle;

        public readonly void Free()
        {
            if (!_initialized)
            {
                _handle.Dispose();
            }
        }
    }
}
