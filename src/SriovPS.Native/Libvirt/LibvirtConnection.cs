using System.Collections.Generic;

namespace SriovPS.Native.Libvirt;

/// <summary>
/// One libvirt connection and the calls made on it. Thin: every failure is a <see cref="LibvirtException"/>
/// carrying libvirt's own error, except lookups, which return null for an object that does not exist.
/// Public, with its domains and networks, for the test scripts that set up guests of libvirt's in-process
/// test driver; the cmdlets never name it (Core maps its failures).
/// </summary>
public sealed class LibvirtConnection : IDisposable
{
    // virConnectListAllNetworks / virConnectListAllDomains flags (include/libvirt/libvirt-*.h).
    public const uint ListActiveDomains = 1;
    public const uint ListInactiveDomains = 2;

    private readonly SafeLibvirtConnectionHandle _handle;

    private LibvirtConnection(string uri, SafeLibvirtConnectionHandle handle)
    {
        Uri = uri;
        _handle = handle;
    }

    /// <summary>The URI the connection was opened with.</summary>
    public string Uri { get; }

    /// <summary>Opens a read-write connection; the process-wide setup (event loop, silent errors) runs first.</summary>
    /// <exception cref="LibvirtNotInstalledException">libvirt.so.0 is not loaded.</exception>
    public static LibvirtConnection Open(string uri)
    {
        LibvirtRuntime.EnsureStarted();
        var handle = Interop.Libvirt.ConnectOpen(uri);
        if (handle.IsInvalid)
        {
            var error = LibvirtRuntime.LastError($"virConnectOpen({uri})");
            handle.Dispose();
            throw error;
        }

        return new LibvirtConnection(uri, handle);
    }

    /// <summary>Whether the connection still works (a restarted libvirtd leaves it dead).</summary>
    public bool IsAlive => !_handle.IsClosed && Interop.Libvirt.ConnectIsAlive(_handle) == 1;

    public IReadOnlyList<LibvirtNetwork> ListNetworks()
    {
        int count = Interop.Libvirt.ConnectListAllNetworks(_handle, out var array, 0);
        if (count < 0)
        {
            throw LibvirtRuntime.LastError("virConnectListAllNetworks");
        }

        return TakeArray(array, count, pointer => new LibvirtNetwork(new SafeLibvirtNetworkHandle(pointer)));
    }

    /// <summary>The network called <paramref name="name"/>, or null when there is none.</summary>
    public LibvirtNetwork? LookupNetwork(string name)
    {
        var handle = Interop.Libvirt.NetworkLookupByName(_handle, name);
        return handle.IsInvalid
            ? NullWhen<LibvirtNetwork>(LibvirtErrorCodes.NoNetwork, handle, $"virNetworkLookupByName({name})")
            : new LibvirtNetwork(handle);
    }

    /// <summary>Defines a persistent network from <paramref name="xml"/> (or redefines one of that name).</summary>
    public LibvirtNetwork DefineNetwork(string xml)
    {
        var handle = Interop.Libvirt.NetworkDefineXML(_handle, xml);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw LibvirtRuntime.LastError("virNetworkDefineXML");
        }

        return new LibvirtNetwork(handle);
    }

    /// <summary>Guests: <see cref="ListActiveDomains"/>, <see cref="ListInactiveDomains"/>, or 0 for all.</summary>
    public IReadOnlyList<LibvirtDomain> ListDomains(uint flags = 0)
    {
        int count = Interop.Libvirt.ConnectListAllDomains(_handle, out var array, flags);
        if (count < 0)
        {
            throw LibvirtRuntime.LastError("virConnectListAllDomains");
        }

        return TakeArray(array, count, pointer => new LibvirtDomain(new SafeLibvirtDomainHandle(pointer)));
    }

    /// <summary>The guest called <paramref name="name"/>, or null when there is none.</summary>
    public LibvirtDomain? LookupDomain(string name)
    {
        var handle = Interop.Libvirt.DomainLookupByName(_handle, name);
        return handle.IsInvalid
            ? NullWhen<LibvirtDomain>(LibvirtErrorCodes.NoDomain, handle, $"virDomainLookupByName({name})")
            : new LibvirtDomain(handle);
    }

    /// <summary>Defines a persistent guest from <paramref name="xml"/>.</summary>
    public LibvirtDomain DefineDomain(string xml)
    {
        var handle = Interop.Libvirt.DomainDefineXML(_handle, xml);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw LibvirtRuntime.LastError("virDomainDefineXML");
        }

        return new LibvirtDomain(handle);
    }

    /// <summary>The XML of node device <paramref name="name"/> (pci_0000_04_00_0), or null when libvirt has none.</summary>
    public string? NodeDeviceXml(string name)
    {
        using var handle = Interop.Libvirt.NodeDeviceLookupByName(_handle, name);
        if (handle.IsInvalid)
        {
            return NullWhen<string>(LibvirtErrorCodes.NoNodeDevice, handle, $"virNodeDeviceLookupByName({name})");
        }

        return TakeString(Interop.Libvirt.NodeDeviceGetXMLDesc(handle, 0), $"virNodeDeviceGetXMLDesc({name})");
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>A string libvirt allocated for the caller, freed here; a null one is this thread's last error.</summary>
    internal static string TakeString(IntPtr text, string operation)
    {
        if (text == IntPtr.Zero)
        {
            throw LibvirtRuntime.LastError(operation);
        }

        try
        {
            return Marshal.PtrToStringUTF8(text)!;
        }
        finally
        {
            Interop.Libc.Free(text);
        }
    }

    /// <summary>Wraps each object pointer of an array libvirt allocated, then frees the array itself.</summary>
    internal static IReadOnlyList<T> TakeArray<T>(IntPtr array, int count, Func<IntPtr, T> wrap)
    {
        var items = new List<T>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                items.Add(wrap(Marshal.ReadIntPtr(array, i * IntPtr.Size)));
            }
        }
        finally
        {
            Interop.Libc.Free(array);
        }

        return items;
    }

    private static T? NullWhen<T>(int notFoundCode, SafeHandle handle, string operation)
        where T : class
    {
        var error = LibvirtRuntime.LastError(operation);
        handle.Dispose();
        return error.Code == notFoundCode ? null : throw error;
    }
}
