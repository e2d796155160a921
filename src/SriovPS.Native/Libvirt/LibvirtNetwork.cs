using System.Collections.Generic;

namespace SriovPS.Native.Libvirt;

/// <summary>One libvirt network object; each call is the libvirt function of the same name.</summary>
public sealed class LibvirtNetwork : IDisposable
{
    // virNetworkXMLFlags: the persistent definition rather than the running one.
    private const uint XmlInactive = 1;

    private readonly SafeLibvirtNetworkHandle _handle;

    internal LibvirtNetwork(SafeLibvirtNetworkHandle handle)
    {
        _handle = handle;
        Name = Marshal.PtrToStringUTF8(Interop.Libvirt.NetworkGetName(handle)) ?? "";
    }

    public string Name { get; }

    public bool IsActive => Check(Interop.Libvirt.NetworkIsActive(_handle), "virNetworkIsActive") == 1;

    public bool IsPersistent => Check(Interop.Libvirt.NetworkIsPersistent(_handle), "virNetworkIsPersistent") == 1;

    public bool Autostart
    {
        get
        {
            Check(Interop.Libvirt.NetworkGetAutostart(_handle, out int autostart), "virNetworkGetAutostart");
            return autostart != 0;
        }
    }

    /// <summary>The running definition when active (with the pool libvirt built), else the persistent one.</summary>
    public string Xml => LibvirtConnection.TakeString(Interop.Libvirt.NetworkGetXMLDesc(_handle, 0), Operation("virNetworkGetXMLDesc"));

    /// <summary>
    /// The persistent definition, as the next start will use it. Drivers without the flag (the test
    /// driver) give their one definition instead.
    /// </summary>
    public string InactiveXml
    {
        get
        {
            var text = Interop.Libvirt.NetworkGetXMLDesc(_handle, XmlInactive);
            if (text == IntPtr.Zero && LibvirtRuntime.LastError(Operation("virNetworkGetXMLDesc")) is var error)
            {
                return error.Code == LibvirtErrorCodes.InvalidArg ? Xml : throw error;
            }

            return LibvirtConnection.TakeString(text, Operation("virNetworkGetXMLDesc"));
        }
    }

    public void SetAutostart(bool autostart) =>
        Check(Interop.Libvirt.NetworkSetAutostart(_handle, autostart ? 1 : 0), "virNetworkSetAutostart");

    public void Create() => Check(Interop.Libvirt.NetworkCreate(_handle), "virNetworkCreate");

    public void Destroy() => Check(Interop.Libvirt.NetworkDestroy(_handle), "virNetworkDestroy");

    public void Undefine() => Check(Interop.Libvirt.NetworkUndefine(_handle), "virNetworkUndefine");

    /// <summary>The XML of each port: one per guest interface plugged into this running network.</summary>
    public IReadOnlyList<string> PortXmls()
    {
        int count = Interop.Libvirt.NetworkListAllPorts(_handle, out var array, 0);
        if (count < 0)
        {
            throw LibvirtRuntime.LastError(Operation("virNetworkListAllPorts"));
        }

        var ports = LibvirtConnection.TakeArray(array, count, pointer => new SafeLibvirtNetworkPortHandle(pointer));
        var xmls = new List<string>(ports.Count);
        try
        {
            foreach (var port in ports)
            {
                xmls.Add(LibvirtConnection.TakeString(Interop.Libvirt.NetworkPortGetXMLDesc(port, 0), Operation("virNetworkPortGetXMLDesc")));
            }
        }
        finally
        {
            foreach (var port in ports)
            {
                port.Dispose();
            }
        }

        return xmls;
    }

    public void Dispose() => _handle.Dispose();

    private int Check(int result, string function) =>
        result < 0 ? throw LibvirtRuntime.LastError(Operation(function)) : result;

    private string Operation(string function) => $"{function}({Name})";
}
