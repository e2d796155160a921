namespace SriovPS.Native.Libvirt;

/// <summary>One libvirt guest (domain); each call is the libvirt function of the same name.</summary>
public sealed class LibvirtDomain : IDisposable
{
    // virDomainXMLFlags: the persistent definition rather than the running one.
    private const uint XmlInactive = 2;

    // virDomainModificationImpact.
    public const uint AffectLive = 1;
    public const uint AffectConfig = 2;

    private readonly SafeLibvirtDomainHandle _handle;

    internal LibvirtDomain(SafeLibvirtDomainHandle handle)
    {
        _handle = handle;
        Name = Marshal.PtrToStringUTF8(Interop.Libvirt.DomainGetName(handle)) ?? "";
    }

    public string Name { get; }

    public bool IsActive => Check(Interop.Libvirt.DomainIsActive(_handle), "virDomainIsActive") == 1;

    /// <summary>The running definition when active, else the persistent one.</summary>
    public string Xml => LibvirtConnection.TakeString(Interop.Libvirt.DomainGetXMLDesc(_handle, 0), Operation("virDomainGetXMLDesc"));

    /// <summary>The persistent definition, as the next start will use it.</summary>
    public string InactiveXml => LibvirtConnection.TakeString(Interop.Libvirt.DomainGetXMLDesc(_handle, XmlInactive), Operation("virDomainGetXMLDesc"));

    // virDomainCreateFlags: QEMU starts with its CPUs stopped; devices are assigned all the same.
    public const uint StartPaused = 1;

    public void Create() => Check(Interop.Libvirt.DomainCreate(_handle), "virDomainCreate");

    /// <summary>Starts the guest; <paramref name="flags"/> is <see cref="StartPaused"/> or 0.</summary>
    public void Create(uint flags) => Check(Interop.Libvirt.DomainCreateWithFlags(_handle, flags), "virDomainCreateWithFlags");

    public void Destroy() => Check(Interop.Libvirt.DomainDestroy(_handle), "virDomainDestroy");

    public void Undefine() => Check(Interop.Libvirt.DomainUndefine(_handle), "virDomainUndefine");

    /// <summary>Attaches a device; <paramref name="flags"/> are <see cref="AffectLive"/> and/or <see cref="AffectConfig"/>.</summary>
    public void AttachDevice(string xml, uint flags) =>
        Check(Interop.Libvirt.DomainAttachDeviceFlags(_handle, xml, flags), "virDomainAttachDeviceFlags");

    /// <summary>Detaches a device; <paramref name="flags"/> are <see cref="AffectLive"/> and/or <see cref="AffectConfig"/>.</summary>
    public void DetachDevice(string xml, uint flags) =>
        Check(Interop.Libvirt.DomainDetachDeviceFlags(_handle, xml, flags), "virDomainDetachDeviceFlags");

    public void Dispose() => _handle.Dispose();

    private int Check(int result, string function) =>
        result < 0 ? throw LibvirtRuntime.LastError(Operation(function)) : result;

    private string Operation(string function) => $"{function}({Name})";
}
