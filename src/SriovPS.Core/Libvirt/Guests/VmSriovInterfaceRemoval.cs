using SriovPS.Kernel;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// <c>virsh detach-device</c> for one SR-IOV interface of a guest, found by its MAC: from the
/// guest's definition and/or the running guest, each with the element libvirt has there.
/// </summary>
internal sealed class VmSriovInterfaceRemoval
{
    private bool _detachedFromConfig;
    private bool _releasedByLive;

    private VmSriovInterfaceRemoval(string vmName, string macAddress, string source, GuestInterfaceXml? fromConfig, GuestInterfaceXml? fromLive, string? liveXml)
    {
        VmName = vmName;
        MacAddress = macAddress;
        Source = source;
        FromConfig = fromConfig;
        FromLive = fromLive;
        LiveXml = liveXml;
    }

    public string VmName { get; }

    public string MacAddress { get; }

    /// <summary>"pool 'eno49-sr-iov'" or "VF 0000:04:10.0".</summary>
    public string Source { get; }

    /// <summary>The definition's element to detach; null when the definition is left alone.</summary>
    public GuestInterfaceXml? FromConfig { get; }

    /// <summary>The running guest's element to detach; null when the running guest is left alone.</summary>
    public GuestInterfaceXml? FromLive { get; }

    /// <summary>
    /// The running guest's interface as it is attached again (undo): a pool interface names its pool,
    /// since the running guest shows only the VF the pool handed out.
    /// </summary>
    private string? LiveXml { get; }

    /// <summary>Where the interface is not, although the removal was asked there, for -Verbose.</summary>
    public IReadOnlyList<string> Notes { get; private init; } = [];

    /// <summary>Whether anything is to be removed.</summary>
    public bool HasWork => FromConfig is not null || FromLive is not null;

    /// <summary>What the removal does, for ShouldProcess.</summary>
    public string Action => $"remove the SR-IOV interface {MacAddress} on {Source} from " + (FromConfig, FromLive) switch
    {
        (not null, not null) => "the guest's definition and the running guest",
        (not null, null) => "the guest's definition (from its next start)",
        _ => "the running guest",
    };

    /// <summary>Finds the interface; notes where it is not, when that is where it was asked to go.</summary>
    /// <exception cref="SriovException">No such guest or interface, or the MAC is not an SR-IOV interface's.</exception>
    internal static VmSriovInterfaceRemoval Plan(
        LibvirtInventory inventory, IReadOnlyList<LibvirtSriovNetwork> pools, string vmName, string macAddress, bool config, bool live)
    {
        var notes = new List<string>();
        var guest = inventory.Guest(vmName) ?? throw LibvirtErrors.VmNotFound(vmName);
        if (live && !config && !guest.Active)
        {
            throw LibvirtErrors.VmNotRunning(vmName, "remove an interface from the running guest");
        }

        string mac = Normalize(macAddress);
        var interfaces = VmSriovInterfaceReport.Describe("", guest, inventory, pools, null);
        if (interfaces.Find(i => i.MacAddress == mac) is not { } found)
        {
            bool other = guest.Definition.MacAddresses.Contains(mac) || guest.Running?.MacAddresses.Contains(mac) == true;
            throw other
                ? new SriovException(
                    ErrorCatalog.NotSriovInterface,
                    $"The interface {mac} of the guest '{vmName}' is not an SR-IOV interface (neither on a hostdev pool nor a fixed VF): left alone.",
                    mac,
                    "Remove other interfaces with virsh detach-interface.")
                : new SriovException(
                    ErrorCatalog.VmSriovInterfaceNotFound,
                    $"The guest '{vmName}' has no interface with the MAC {mac}.",
                    mac,
                    $"Run Get-VmSriovInterface -VmName '{vmName}' to list its SR-IOV interfaces.");
        }

        string source = found.Network is { } network ? $"pool '{network}'" : $"VF {found.SourcePciAddress}";
        var fromConfig = config ? guest.Definition.Interfaces.FirstOrDefault(i => i.MacAddress == mac) : null;
        var fromLive = live ? guest.Running?.Interfaces.FirstOrDefault(i => i.MacAddress == mac) : null;
        if (config && fromConfig is null)
        {
            notes.Add($"The interface {mac} is not in the definition of '{vmName}'" + (found.Active && !live ? ": it is only in the running guest (use -Live)." : "."));
        }

        if (live && fromLive is null)
        {
            notes.Add($"The interface {mac} is not in the running guest '{vmName}'" + (guest.Active ? "." : ": the guest is not running."));
        }

        string? liveXml = fromLive is null ? null
            : found.Network is { } pool ? GuestInterfaceXml.ForNetwork(pool, mac, found.Vlan, found.VirtualPortProfileId)
            : fromLive.DetachXml();
        return new VmSriovInterfaceRemoval(vmName, mac, source, fromConfig, fromLive, liveXml) { Notes = notes };
    }

    /// <summary>
    /// Detaches from the definition, then from the running guest. A running guest gives a PCI device
    /// back only when its OS agrees to the unplug; returns false when it still has the interface.
    /// </summary>
    /// <exception cref="SriovException">libvirt refused.</exception>
    internal bool Apply(LibvirtConnection connection)
    {
        using var domain = LibvirtErrors.LookupGuest(connection, VmName);
        string doing = $"remove the interface {MacAddress} from '{VmName}'";
        try
        {
            if (FromConfig is not null)
            {
                domain.DetachDevice(FromConfig.DetachXml(), LibvirtDomain.AffectConfig);
                _detachedFromConfig = true;
            }

            if (FromLive is not null)
            {
                domain.DetachDevice(FromLive.DetachXml(), LibvirtDomain.AffectLive);
                _releasedByLive = !GuestXml.Parse(domain.Xml).MacAddresses.Contains(MacAddress);
                return _releasedByLive;
            }
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, VmName, doing);
        }

        return true;
    }

    /// <summary>
    /// Attaches again what <see cref="Apply"/> removed: the definition's element as it was, and the
    /// running guest's interface when the guest gave it back.
    /// </summary>
    /// <exception cref="SriovException">libvirt refused (a pool with no free VF, no PCI slot left).</exception>
    internal void Reattach(LibvirtConnection connection)
    {
        using var domain = LibvirtErrors.LookupGuest(connection, VmName);
        string doing = $"add the interface {MacAddress} to '{VmName}' again";
        try
        {
            if (_detachedFromConfig)
            {
                domain.AttachDevice(FromConfig!.DetachXml(), LibvirtDomain.AffectConfig);
                _detachedFromConfig = false;
            }

            if (_releasedByLive)
            {
                domain.AttachDevice(LiveXml!, LibvirtDomain.AffectLive);
                _releasedByLive = false;
            }
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, VmName, doing);
        }
    }

    private static string Normalize(string text)
    {
        var octets = Values.MacAddress.TryParse(text) ?? throw new SriovException(
            ErrorCatalog.InvalidMacAddress, $"'{text}' is not a MAC address: write six hexadecimal octets separated by ':' (52:54:00:6d:90:02).", text);
        return KernelLinkMapping.FormatAddress(octets)!;
    }
}
