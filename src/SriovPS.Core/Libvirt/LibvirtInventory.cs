using System.Xml;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>A hostdev network as read in one pass: its definitions, state, and who is plugged in.</summary>
internal sealed record HostdevNetworkState(
    string Name,
    bool Active,
    bool Autostart,
    bool Persistent,
    HostdevNetworkXml Definition,
    HostdevNetworkXml? Running,
    IReadOnlyList<NetworkPortXml>? Ports)
{
    /// <summary>Guest interfaces plugged in now: the ports, or the running definition's count where the driver has no ports.</summary>
    public int Connections => Ports?.Count ?? Running?.Connections ?? 0;

    /// <summary>The XML libvirt gave, as it gave it: what a snapshot keeps.</summary>
    public LibvirtXml? Xml { get; init; }

    /// <summary>The state of a network from its XML; <c>null</c> when it is not a hostdev network.</summary>
    /// <exception cref="XmlException">Some XML is not XML.</exception>
    internal static HostdevNetworkState? FromXml(string name, bool active, bool autostart, bool persistent, LibvirtXml xml)
    {
        var running = xml.Running is { } live ? HostdevNetworkXml.Parse(live) : null;
        var definition = xml.Definition is { } inactive ? HostdevNetworkXml.Parse(inactive) : running!;
        if (!definition.IsHostdev && running?.IsHostdev != true)
        {
            return null;
        }

        var ports = xml.Ports?.Select(NetworkPortXml.Parse).ToList();
        return new HostdevNetworkState(name, active, autostart, persistent, definition, running, active ? ports : []) { Xml = xml };
    }
}

/// <summary>
/// A libvirt object's XML as virNetworkGetXMLDesc and virDomainGetXMLDesc give it: its persistent
/// definition (<c>null</c> for a transient one), the live one while it runs, and a running network's ports
/// (<c>null</c> from a driver without ports).
/// </summary>
internal sealed record LibvirtXml(string? Definition, string? Running, IReadOnlyList<string>? Ports = null);

/// <summary>A guest as read in one pass: its persistent definition and, while it runs, its live one.</summary>
internal sealed record GuestState(string Name, bool Active, GuestXml Definition, GuestXml? Running)
{
    /// <summary>The XML libvirt gave, as it gave it: what a snapshot keeps.</summary>
    public LibvirtXml? Xml { get; init; }

    /// <summary>The state of a guest from its XML.</summary>
    /// <exception cref="XmlException">Some XML is not XML.</exception>
    internal static GuestState FromXml(string name, bool active, LibvirtXml xml)
    {
        var running = xml.Running is { } live ? GuestXml.Parse(live) : null;
        return new GuestState(name, active, xml.Definition is { } inactive ? GuestXml.Parse(inactive) : running!, running) { Xml = xml };
    }

    /// <summary>
    /// Whether the guest may have something SR-IOV: a hostdev interface or PCI device, or an interface on a
    /// network that is not known as another kind (<paramref name="otherNetworks"/>): a pool, or one libvirt cannot tell.
    /// </summary>
    internal bool UsesSriov(IReadOnlySet<string> otherNetworks) =>
        new[] { Definition, Running }.OfType<GuestXml>().Any(xml =>
            xml.PciDevices.Count > 0 || xml.Interfaces.Any(i => i.Network is null) || xml.NetworkInterfaces.Any(n => !otherNetworks.Contains(n)));
}

/// <summary>
/// One read of everything libvirt knows about SR-IOV on a connection: the hostdev networks (with the
/// ports of the running ones) and the guests. A command reads it once, however many VFs or networks
/// it reports on, rather than asking libvirt per object.
/// </summary>
internal sealed class LibvirtInventory
{
    private readonly List<GuestState> _guests;

    private LibvirtInventory(List<HostdevNetworkState> networks, bool networksListed, List<GuestState> guests, HashSet<string>? networkNames = null)
    {
        Networks = networks;
        NetworkNames = networkNames ?? networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        NetworksListed = networksListed;
        _guests = guests;
    }

    public IReadOnlyList<HostdevNetworkState> Networks { get; }

    /// <summary>
    /// False when the connection has no network driver (<c>qemu:///embed</c>): then no pool is known,
    /// and an interface on a libvirt network may or may not be on one.
    /// </summary>
    public bool NetworksListed { get; }

    public IReadOnlyList<GuestState> Guests => _guests;

    /// <summary>The names of every network of the connection, of any kind.</summary>
    public IReadOnlySet<string> NetworkNames { get; }

    /// <summary>The networks listed that are not hostdev pools.</summary>
    public IReadOnlySet<string> OtherNetworks => NetworkNames.Where(n => Network(n) is null).ToHashSet(StringComparer.Ordinal);

    /// <summary>The guests that may use SR-IOV (<see cref="GuestState.UsesSriov"/>).</summary>
    public IEnumerable<GuestState> SriovGuests
    {
        get
        {
            var others = OtherNetworks;
            return Guests.Where(g => g.UsesSriov(others));
        }
    }

    /// <summary>
    /// Reads the hostdev networks and the guests; with <paramref name="runningOnly"/> only what is
    /// running (enough to know who holds which VF now).
    /// </summary>
    /// <exception cref="LibvirtException">A listing failed (objects that vanish mid-read are skipped).</exception>
    internal static LibvirtInventory Read(LibvirtConnection connection, bool runningOnly = false)
    {
        var networks = new List<HostdevNetworkState>();
        IReadOnlyList<LibvirtNetwork> listed;
        bool networksListed = true;
        try
        {
            listed = connection.ListNetworks();
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCodes.NoSupport)
        {
            listed = [];
            networksListed = false;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in listed)
        {
            using (network)
            {
                names.Add(network.Name);
                if (ReadNetwork(network, runningOnly) is { } state)
                {
                    networks.Add(state);
                }
            }
        }

        var guests = new List<GuestState>();
        foreach (var domain in connection.ListDomains(runningOnly ? LibvirtConnection.ListActiveDomains : 0))
        {
            using (domain)
            {
                if (ReadGuest(domain, runningOnly) is { } state)
                {
                    guests.Add(state);
                }
            }
        }

        return new LibvirtInventory(networks, networksListed, guests, names);
    }

    /// <summary>An inventory of states already read (from saved XML), with the names of networks of other kinds.</summary>
    internal static LibvirtInventory FromStates(
        IEnumerable<HostdevNetworkState> networks, IEnumerable<GuestState> guests, IEnumerable<string> otherNetworks, bool networksListed = true)
    {
        var pools = networks.ToList();
        return new(pools, networksListed, [.. guests], [.. pools.Select(n => n.Name), .. otherNetworks]);
    }

    /// <summary>The guest called <paramref name="name"/> (exactly), or null.</summary>
    internal GuestState? Guest(string name) => _guests.Find(g => g.Name == name);

    /// <summary>Reads one guest again after a change to it, leaving the rest as read.</summary>
    /// <exception cref="LibvirtException">The guest could not be read.</exception>
    internal GuestState? Refresh(LibvirtConnection connection, string name)
    {
        int index = _guests.FindIndex(g => g.Name == name);
        using var domain = connection.LookupDomain(name);
        var state = domain is null ? null : ReadGuest(domain, runningOnly: false);
        if (index >= 0)
        {
            _guests.RemoveAt(index);
        }

        if (state is not null)
        {
            _guests.Insert(index >= 0 ? index : _guests.Count, state);
        }

        return state;
    }

    /// <summary>The hostdev network called <paramref name="name"/>, or null.</summary>
    internal HostdevNetworkState? Network(string name) => Networks.FirstOrDefault(n => n.Name == name);

    /// <summary>The running guest that holds each VF (PCI address): fixed hostdevs of running guests, and the running pools' assignments.</summary>
    internal Dictionary<string, string> VfOwners()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var guest in Guests)
        {
            foreach (var address in guest.Running?.PciDevices ?? [])
            {
                owners[address] = guest.Name;
            }
        }

        foreach (var network in Networks)
        {
            foreach (var port in network.Ports ?? [])
            {
                if (port.VfAddress is { } address && port.Owner is { } owner)
                {
                    owners[address] = owner;
                }
            }
        }

        return owners;
    }

    private static HostdevNetworkState? ReadNetwork(LibvirtNetwork network, bool runningOnly)
    {
        try
        {
            bool active = network.IsActive;
            if (runningOnly && !active)
            {
                return null;
            }

            bool persistent = network.IsPersistent;
            var xml = new LibvirtXml(active && !persistent ? null : network.InactiveXml, active ? network.Xml : null, active ? ReadPorts(network) : []);
            return HostdevNetworkState.FromXml(network.Name, active, network.Autostart, persistent, xml);
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCodes.NoNetwork)
        {
            return null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>The ports of a running network; null from a driver without ports (the test driver), which then reports only a count.</summary>
    private static IReadOnlyList<string>? ReadPorts(LibvirtNetwork network)
    {
        try
        {
            return network.PortXmls();
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCodes.NoSupport or LibvirtErrorCodes.OperationUnsupported)
        {
            return null;
        }
    }

    private static GuestState? ReadGuest(LibvirtDomain domain, bool runningOnly)
    {
        try
        {
            bool active = domain.IsActive;
            if (runningOnly && !active)
            {
                return null;
            }

            return GuestState.FromXml(domain.Name, active, new LibvirtXml(runningOnly ? null : domain.InactiveXml, active ? domain.Xml : null));
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCodes.NoDomain)
        {
            return null;
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
