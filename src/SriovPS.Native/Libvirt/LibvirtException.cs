namespace SriovPS.Native.Libvirt;

/// <summary>
/// libvirt refused a call: its virError (the number from <c>virerror.h</c>, the subsystem that raised
/// it, and its own message, which names the object and the reason).
/// </summary>
public sealed class LibvirtException : Exception
{
    internal LibvirtException(string operation, int code, int domain, string? libvirtMessage)
        : base($"{operation}: {(string.IsNullOrEmpty(libvirtMessage) ? $"libvirt error {code}" : libvirtMessage)}")
    {
        Operation = operation;
        Code = code;
        Domain = domain;
        LibvirtMessage = libvirtMessage;
    }

    /// <summary>The libvirt call that failed, with its object (<c>virNetworkCreate(eno49-sr-iov)</c>).</summary>
    public string Operation { get; }

    /// <summary>virErrorNumber: VIR_ERR_NO_NETWORK is 43.</summary>
    public int Code { get; }

    /// <summary>virErrorDomain: the subsystem that raised it (VIR_FROM_NETWORK is 19, VIR_FROM_RPC 7).</summary>
    public int Domain { get; }

    /// <summary>libvirt's own text, which already names the object ("no network with matching name 'x'").</summary>
    public string? LibvirtMessage { get; }
}

/// <summary>libvirt.so.0 could not be loaded, so no libvirt call can be made in this process.</summary>
public sealed class LibvirtNotInstalledException(string fileName, string? reason)
    : Exception($"{fileName} could not be loaded{(reason is null ? "" : $": {reason}")}")
{
    /// <summary>The file the logical library name pointed at.</summary>
    public string FileName { get; } = fileName;
}
