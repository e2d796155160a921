using System.Xml.Linq;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// What a guest's definition says about SR-IOV: its interfaces that can carry a VF, its interfaces
/// on libvirt networks (one entry per interface, so three interfaces on one pool count three), and
/// the PCI devices it is given (<c>&lt;hostdev&gt;</c>, a fixed VF, or the VF a pool handed a running
/// guest), and the MACs of all its interfaces.
/// </summary>
internal sealed record GuestXml(
    string Name,
    IReadOnlyList<GuestInterfaceXml> Interfaces,
    IReadOnlyList<string> NetworkInterfaces,
    IReadOnlyList<string> PciDevices,
    IReadOnlyList<string> MacAddresses)
{
    /// <summary>How many PCI slots can take a device hot-plugged (see <see cref="GuestPciSlots"/>).</summary>
    public int FreeHotplugSlots { get; init; }

    /// <summary>The guest's UUID (<c>&lt;uuid&gt;</c>); <c>null</c> when the XML has none.</summary>
    public string? Uuid { get; init; }

    /// <summary>Reads a guest's XML (as virDomainGetXMLDesc returns it).</summary>
    /// <exception cref="System.Xml.XmlException">It is not XML.</exception>
    internal static GuestXml Parse(string xml)
    {
        var domain = XElement.Parse(xml);
        string name = (string?)domain.Element("name") ?? "";
        var devices = domain.Element("devices");
        if (devices is null)
        {
            return new GuestXml(name, [], [], [], []) { Uuid = (string?)domain.Element("uuid") };
        }

        var interfaces = GuestInterfaceXml.ReadAll(devices);
        var pci = interfaces.Select(i => i.SourcePciAddress).OfType<string>().ToList();
        foreach (var hostdev in devices.Elements("hostdev"))
        {
            if ((string?)hostdev.Attribute("type") == "pci" && hostdev.Element("source")?.Element("address") is { } address
                && LibvirtPciAddress.Read(address) is { } pciAddress)
            {
                pci.Add(pciAddress);
            }
        }

        var macs = devices.Elements("interface").Select(GuestInterfaceXml.MacOf).OfType<string>().ToList();
        return new GuestXml(name, interfaces, interfaces.Select(i => i.Network).OfType<string>().ToList(), pci, macs)
        {
            FreeHotplugSlots = GuestPciSlots.FreeHotplug(devices),
            Uuid = (string?)domain.Element("uuid"),
        };
    }
}
