using System.Xml.Linq;

namespace SriovPS.Libvirt.Networks;

/// <summary>
/// One port of a running network (virNetworkPortGetXMLDesc): the guest it belongs to, the MAC of
/// that guest's interface and, for a hostdev pool, the VF libvirt handed that guest (<c>&lt;plug type='hostdev-pci'&gt;&lt;address …/&gt;</c>).
/// </summary>
internal sealed record NetworkPortXml(string? Owner, string? MacAddress, string? VfAddress)
{
    /// <exception cref="System.Xml.XmlException">It is not XML.</exception>
    internal static NetworkPortXml Parse(string xml)
    {
        var port = XElement.Parse(xml);
        string? owner = (string?)port.Element("owner")?.Element("name");
        var plug = port.Element("plug");
        string? address = (string?)plug?.Attribute("type") == "hostdev-pci" && plug!.Element("address") is { } element
            ? LibvirtPciAddress.Read(element)
            : null;
        string? mac = ((string?)port.Element("mac")?.Attribute("address"))?.ToLowerInvariant();
        return new NetworkPortXml(owner, mac, address);
    }
}
