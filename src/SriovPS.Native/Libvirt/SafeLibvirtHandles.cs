namespace SriovPS.Native;

/// <summary>A virConnectPtr, closed with virConnectClose.</summary>
internal sealed class SafeLibvirtConnectionHandle : SafeHandle
{
    public SafeLibvirtConnectionHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => Interop.Libvirt.ConnectClose(handle) >= 0;
}

/// <summary>A virNetworkPtr, released with virNetworkFree.</summary>
internal sealed class SafeLibvirtNetworkHandle : SafeHandle
{
    public SafeLibvirtNetworkHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeLibvirtNetworkHandle(IntPtr network)
        : this() => SetHandle(network);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => Interop.Libvirt.NetworkFree(handle) == 0;
}

/// <summary>A virNetworkPortPtr, released with virNetworkPortFree.</summary>
internal sealed class SafeLibvirtNetworkPortHandle : SafeHandle
{
    public SafeLibvirtNetworkPortHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeLibvirtNetworkPortHandle(IntPtr port)
        : this() => SetHandle(port);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => Interop.Libvirt.NetworkPortFree(handle) == 0;
}

/// <summary>A virDomainPtr, released with virDomainFree.</summary>
internal sealed class SafeLibvirtDomainHandle : SafeHandle
{
    public SafeLibvirtDomainHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeLibvirtDomainHandle(IntPtr domain)
        : this() => SetHandle(domain);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => Interop.Libvirt.DomainFree(handle) == 0;
}

/// <summary>A virNodeDevicePtr, released with virNodeDeviceFree.</summary>
internal sealed class SafeLibvirtNodeDeviceHandle : SafeHandle
{
    public SafeLibvirtNodeDeviceHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => Interop.Libvirt.NodeDeviceFree(handle) == 0;
}
