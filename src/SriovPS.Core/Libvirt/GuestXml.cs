using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace SriovPS.Libvirt;

/// <summary>
/// What a guest's definition says about SR-IOV: its interfaces on libvirt networks (one entry per
/// interface, so three interfaces on one pool count three), and the PCI devices it is given directly
/// (<c>&lt;hostdev&gt;</c>, or <c>&lt;interface type='hostdev'&gt;</c> with a fixed VF).
/// </summary>
internal sealed record GuestXml(string Name, IReadOnlyList<string> NetworkInterfaces, IReadOnlyList<string> PciDevices)
{
    /// <summary>Reads a guest's XML (as virDomainGetXMLDesc returns it).</summary>
    /// <exception cref="System.Xml.XmlException">It is not XML.</exception>
    internal static GuestXml Parse(string xml)
    {
        var domain = XElement.Parse(xml);
        var devices = domain.Element("devices");
        if (devices is null)
        {
            return new GuestXml((string?)domain.Element("name") ?? "", [], []);
        }

        var networks = new List<string>();
        var pci = new List<string>();
        foreach (var device in devices.Elements())
        {
            string? type = (string?)device.Attribute("type");
            var source = device.Element("source");
            if (device.Name == "interface" && type == "network" && (string?)source?.Attribute("network") is { } network)
            {
                networks.Add(network);
            }
            else if ((device.Name == "interface" && type == "hostdev") || (device.Name == "hostdev" && type == "pci"))
            {
                if (source?.Element("address") is { } address && LibvirtPciAddress.Read(address) is { } pciAddress)
                {
                    pci.Add(pciAddress);
                }
            }
        }

        return new GuestXml((string?)domain.Element("name") ?? "", networks, pci);
    }
}
