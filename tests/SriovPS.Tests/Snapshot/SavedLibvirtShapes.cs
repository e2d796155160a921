using System.Collections.Generic;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;

namespace SriovPS.Tests.Snapshot;

/// <summary>libvirt states as comparable text: what a report reads of a network or a guest, field by field.</summary>
internal static class SavedLibvirtShapes
{
    public static List<string> Of(HostdevNetworkState network) =>
    [
        $"name {network.Name}",
        $"active {network.Active} autostart {network.Autostart} persistent {network.Persistent} connections {network.Connections}",
        "definition " + Of(network.Definition),
        "running " + (network.Running is { } running ? Of(running) : "none"),
        "ports " + (network.Ports is { } ports ? string.Join(" | ", ports.Select(p => $"{p.Owner} {p.MacAddress} {p.VfAddress}")) : "none"),
    ];

    public static string Of(HostdevNetworkXml xml) =>
        $"{xml.Name} hostdev={xml.IsHostdev} managed={xml.Managed} pfs=[{string.Join(",", xml.PfNames)}] addresses=[{string.Join(",", xml.Addresses)}] " +
        $"connections={xml.Connections} others=[{string.Join(",", xml.OtherElements)}]";

    public static List<string> Of(GuestState guest) =>
    [
        $"name {guest.Name} active {guest.Active}",
        "definition " + Of(guest.Definition),
        "running " + (guest.Running is { } running ? Of(running) : "none"),
    ];

    public static string Of(GuestXml xml) =>
        $"{xml.Name} uuid={xml.Uuid} slots={xml.FreeHotplugSlots} networks=[{string.Join(",", xml.NetworkInterfaces)}] " +
        $"pci=[{string.Join(",", xml.PciDevices)}] macs=[{string.Join(",", xml.MacAddresses)}] interfaces=[" +
        string.Join("; ", xml.Interfaces.Select(i => $"{i.MacAddress} {i.Network} {i.SourcePciAddress} vlan={string.Join("/", i.VlanTags)} profile={i.VirtualPortProfileId}")) + "]";

    public static List<string> Of(VmSriovInterface vmInterface) =>
    [
        $"{vmInterface.VmName} {vmInterface.MacAddress} network={vmInterface.Network} source={vmInterface.SourcePciAddress} vlan={string.Join("/", vmInterface.VlanTags)}",
        $"profile={vmInterface.VirtualPortProfileId} config={vmInterface.InConfig} active={vmInterface.Active} running={vmInterface.VmRunning} vf={vmInterface.VfPciAddress}",
    ];

    /// <summary>Every guest's SR-IOV interfaces as Get-VmSriovInterface reports them from <paramref name="inventory"/>.</summary>
    public static List<string> Interfaces(string uri, LibvirtInventory inventory) =>
        inventory.Guests.OrderBy(g => g.Name, System.StringComparer.Ordinal)
            .SelectMany(g => VmSriovInterfaceReport.Describe(uri, g, inventory, Pools(uri, inventory), null))
            .SelectMany(Of)
            .ToList();

    private static List<LibvirtSriovNetwork> Pools(string uri, LibvirtInventory inventory) =>
        inventory.Networks.Select(n => SriovNetworkReport.Describe(uri, n, inventory.Guests, [])).ToList();
}
