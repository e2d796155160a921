using System.Xml;
using System.Xml.Linq;

namespace SriovPS.Libvirt.Networks;

/// <summary>
/// A libvirt network definition as far as SR-IOV pools go: whether it is a hostdev pool, the PF it
/// draws from (<c>&lt;pf dev='eno49'/&gt;</c>) or the fixed VF addresses it lists, and, for a running
/// network, the pool libvirt built and how many guest interfaces are connected.
/// </summary>
internal sealed record HostdevNetworkXml(
    string Name,
    bool IsHostdev,
    bool Managed,
    IReadOnlyList<string> PfNames,
    IReadOnlyList<string> Addresses,
    int Connections,
    IReadOnlyList<string> OtherElements)
{
    /// <summary>
    /// The definition of a pool on one PF: <c>&lt;forward mode='hostdev' managed='yes'&gt;&lt;pf dev='eno49'/&gt;</c>.
    /// libvirt builds the VF list from the PF each time the network starts.
    /// </summary>
    internal static string ForPf(string name, string pfName) => Render(name, new XElement("pf", new XAttribute("dev", pfName)));

    /// <summary>
    /// The definition of a pool over several PFs: their VFs by PCI address, since libvirt takes one
    /// <c>&lt;pf&gt;</c> only and refuses interface names in hostdev mode. The list is fixed: VFs
    /// created later are not in it.
    /// </summary>
    internal static string ForAddresses(string name, IEnumerable<string> vfAddresses) =>
        Render(name, vfAddresses.Select(LibvirtPciAddress.Element).ToArray());

    /// <summary>Reads a network's XML (as virNetworkGetXMLDesc returns it).</summary>
    /// <exception cref="XmlException">It is not XML.</exception>
    internal static HostdevNetworkXml Parse(string xml)
    {
        var network = XElement.Parse(xml);
        var forward = network.Element("forward");
        bool hostdev = (string?)forward?.Attribute("mode") == "hostdev";
        var pfs = forward?.Elements("pf").Select(pf => (string?)pf.Attribute("dev")).OfType<string>().ToList() ?? [];
        var addresses = forward?.Elements("address").Select(LibvirtPciAddress.Read).OfType<string>().ToList() ?? [];
        int.TryParse((string?)network.Attribute("connections"), out int connections);
        var others = network.Elements()
            .Where(e => e.Name.LocalName is not ("name" or "uuid" or "forward"))
            .Select(e => e.Name.LocalName)
            .ToList();
        return new HostdevNetworkXml(
            (string?)network.Element("name") ?? "",
            hostdev,
            (string?)forward?.Attribute("managed") == "yes",
            pfs,
            addresses,
            connections,
            others);
    }

    /// <summary>
    /// Whether this (persistent) definition is the one <paramref name="other"/> describes: same mode,
    /// same PF or the same VF addresses, and nothing else that a redefinition would drop.
    /// </summary>
    internal bool SameDefinitionAs(HostdevNetworkXml other) =>
        IsHostdev && other.IsHostdev && Managed == other.Managed
        && PfNames.SequenceEqual(other.PfNames, StringComparer.Ordinal)
        && Addresses.Order(StringComparer.Ordinal).SequenceEqual(other.Addresses.Order(StringComparer.Ordinal), StringComparer.Ordinal)
        && OtherElements.Count == 0 && other.OtherElements.Count == 0;

    private static string Render(string name, params XElement[] pool) =>
        new XElement(
            "network",
            new XElement("name", name),
            new XElement("forward", new XAttribute("mode", "hostdev"), new XAttribute("managed", "yes"), pool))
        .ToString(SaveOptions.None);
}
