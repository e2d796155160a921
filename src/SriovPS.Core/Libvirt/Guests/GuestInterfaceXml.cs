using System.Xml.Linq;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// One <c>&lt;interface&gt;</c> of a guest that can carry a VF: on a libvirt network
/// (<c>type='network'</c>, a pool when that network is a hostdev one) or on a fixed VF
/// (<c>type='hostdev'</c>, whose <see cref="SourcePciAddress"/> is the VF). <see cref="Element"/> is
/// the element as libvirt wrote it, from which a detach is made.
/// </summary>
internal sealed record GuestInterfaceXml(
    string? MacAddress,
    string? Network,
    string? SourcePciAddress,
    IReadOnlyList<int> VlanTags,
    string? VirtualPortProfileId,
    XElement Element)
{
    /// <summary>The SR-IOV candidates among a guest's devices, in their order.</summary>
    internal static List<GuestInterfaceXml> ReadAll(XElement devices)
    {
        var interfaces = new List<GuestInterfaceXml>();
        foreach (var element in devices.Elements("interface"))
        {
            if (Read(element) is { } parsed)
            {
                interfaces.Add(parsed);
            }
        }

        return interfaces;
    }

    /// <summary>
    /// An interface on a network or a fixed VF; null for other kinds (bridge, direct, user). A running
    /// guest shows a pool interface as a hostdev with the VF the pool handed out, without the network's
    /// name: that comes from the definition or the pool's port with the same MAC.
    /// </summary>
    internal static GuestInterfaceXml? Read(XElement element)
    {
        string? type = (string?)element.Attribute("type");
        var source = element.Element("source");
        string? mac = MacOf(element);
        var tags = element.Element("vlan")?.Elements("tag")
            .Select(tag => int.TryParse((string?)tag.Attribute("id"), NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : -1)
            .Where(id => id >= 0)
            .ToList() ?? [];
        var virtualPort = element.Element("virtualport");
        string? profile = (string?)virtualPort?.Attribute("type") == "802.1Qbh"
            ? (string?)virtualPort!.Element("parameters")?.Attribute("profileid")
            : null;
        return type switch
        {
            "network" when (string?)source?.Attribute("network") is { } network =>
                new GuestInterfaceXml(mac, network, null, tags, profile, element),
            "hostdev" when source?.Element("address") is { } address && LibvirtPciAddress.Read(address) is { } pci =>
                new GuestInterfaceXml(mac, null, pci, tags, profile, element),
            _ => null,
        };
    }

    /// <summary>The MAC of any interface element, in lower case.</summary>
    internal static string? MacOf(XElement element) => ((string?)element.Element("mac")?.Attribute("address"))?.ToLowerInvariant();

    /// <summary>The element to send back to detach this interface: as libvirt wrote it, without the alias libvirt gave it.</summary>
    internal string DetachXml()
    {
        var copy = new XElement(Element);
        copy.Elements("alias").Remove();
        return copy.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>
    /// A pool interface: <c>&lt;interface type='network'&gt;&lt;source network='eno49-sr-iov'/&gt;</c>,
    /// with its MAC and, when given, a VLAN and an 802.1Qbh port profile.
    /// </summary>
    internal static string ForNetwork(string network, string macAddress, int? vlan, string? profileId) =>
        Render("network", new XElement("source", new XAttribute("network", network)), macAddress, vlan, profileId, managed: false);

    /// <summary>
    /// A fixed VF: <c>&lt;interface type='hostdev' managed='yes'&gt;&lt;source&gt;&lt;address type='pci' …/&gt;</c>;
    /// managed, so libvirt moves the VF to vfio-pci when the guest starts and back when it stops.
    /// </summary>
    internal static string ForVf(string vfPciAddress, string macAddress, int? vlan, string? profileId) =>
        Render("hostdev", new XElement("source", LibvirtPciAddress.Element(vfPciAddress)), macAddress, vlan, profileId, managed: true);

    private static string Render(string type, XElement source, string macAddress, int? vlan, string? profileId, bool managed)
    {
        var element = new XElement(
            "interface",
            new XAttribute("type", type),
            managed ? new XAttribute("managed", "yes") : null,
            new XElement("mac", new XAttribute("address", macAddress)),
            source,
            vlan is int tag ? new XElement("vlan", new XElement("tag", new XAttribute("id", tag))) : null,
            profileId is null
                ? null
                : new XElement("virtualport", new XAttribute("type", "802.1Qbh"), new XElement("parameters", new XAttribute("profileid", profileId))));
        return element.ToString(SaveOptions.DisableFormatting);
    }
}
