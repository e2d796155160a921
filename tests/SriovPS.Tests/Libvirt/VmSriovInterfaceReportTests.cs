using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// A guest's SR-IOV interfaces from its definition and its running XML as libvirt 9 writes them
/// (taken from a guest started in the lab: a running pool interface is a plain hostdev), and the
/// seeds' libvirt failures as the module's errors.
/// </summary>
public sealed class VmSriovInterfaceReportTests
{
    private static readonly PfVfAddresses Eth1 = new("eth1", "0000:02:00.0", ["0000:02:10.0", "0000:02:10.2", "0000:02:10.4"]);

    private const string Definition = """
        <domain type='qemu'><name>z-k8s-n-1</name><devices>
          <interface type='network'><mac address='52:54:00:7a:ef:e7'/><source network='eth1-sr-iov'/>
            <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></interface>
          <interface type='network'><mac address='52:54:00:0e:7b:e5'/><source network='eth1-sr-iov'/><vlan><tag id='42'/></vlan>
            <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/></interface>
          <interface type='network'><mac address='52:54:00:ed:e4:a3'/><source network='eth1-sr-iov'/></interface>
          <interface type='network'><mac address='52:54:00:ff:37:67'/><source network='default'/><model type='virtio'/></interface>
        </devices></domain>
        """;

    private const string Running = """
        <domain type='qemu' id='1'><name>z-k8s-n-1</name><devices>
          <interface type='hostdev' managed='yes'>
            <mac address='52:54:00:7a:ef:e7'/><driver name='vfio'/>
            <source><address type='pci' domain='0x0000' bus='0x02' slot='0x10' function='0x0'/></source>
            <alias name='hostdev0'/><address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
          </interface>
          <interface type='hostdev' managed='yes'>
            <mac address='52:54:00:0e:7b:e5'/><driver name='vfio'/>
            <source><address type='pci' domain='0x0000' bus='0x02' slot='0x10' function='0x2'/></source>
            <vlan><tag id='42'/></vlan>
            <alias name='hostdev1'/><address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
          </interface>
          <interface type='hostdev' managed='yes'>
            <mac address='52:54:00:16:55:cf'/>
            <source><address type='pci' domain='0x0000' bus='0x02' slot='0x10' function='0x4'/></source>
            <alias name='hostdev2'/>
          </interface>
        </devices></domain>
        """;

    private static List<VmSriovInterface> Describe()
    {
        var guest = new GuestState("z-k8s-n-1", true, GuestXml.Parse(Definition), GuestXml.Parse(Running));
        var pool = HostdevNetworkXml.Parse("<network><name>eth1-sr-iov</name><forward mode='hostdev' managed='yes'><pf dev='eth1'/></forward></network>");
        NetworkPortXml[] ports = [new("z-k8s-n-1", "52:54:00:7a:ef:e7", "0000:02:10.0"), new("z-k8s-n-1", "52:54:00:0e:7b:e5", "0000:02:10.2"), new("z-k8s-n-1", "52:54:00:16:55:cf", "0000:02:10.4")];
        var network = new HostdevNetworkState("eth1-sr-iov", true, true, true, pool, pool, ports);
        var inventory = LibvirtInventory.FromStates([network], [guest], ["default"]);
        var pools = new List<LibvirtSriovNetwork> { SriovNetworkReport.Describe("qemu:///system", network, [guest], [Eth1]) };
        return VmSriovInterfaceReport.Describe("qemu:///system", guest, inventory, pools, [Eth1]);
    }

    [Fact]
    public void ARunningGuestsPoolInterfaces_HaveThePoolFromTheDefinition_AndTheVfFromTheRunningXml()
    {
        var interfaces = Describe();

        Assert.Equal(["52:54:00:7a:ef:e7", "52:54:00:0e:7b:e5", "52:54:00:ed:e4:a3", "52:54:00:16:55:cf"], interfaces.Select(i => i.MacAddress));
        var second = interfaces[1];
        Assert.Equal(("eth1-sr-iov", "0000:02:10.2", "eth1", 1, 42), (second.Network, second.VfPciAddress, second.PfName, second.VfIndex, second.Vlan));
        Assert.Equal((true, true, true, false), (second.InConfig, second.Active, second.VmRunning, second.RestartRequired));
    }

    [Fact]
    public void AnInterfaceOnlyInTheDefinitionOfARunningGuest_NeedsARestart_AndOneOnlyRunning_TakesItsPoolFromThePort()
    {
        var interfaces = Describe();

        var waiting = interfaces.Single(i => i.MacAddress == "52:54:00:ed:e4:a3");
        var hotplugged = interfaces.Single(i => i.MacAddress == "52:54:00:16:55:cf");

        Assert.Equal((true, false, true, (string?)null), (waiting.InConfig, waiting.Active, waiting.RestartRequired, waiting.VfPciAddress));
        Assert.Equal(("eth1-sr-iov", false, true, "0000:02:10.4", 2), (hotplugged.Network, hotplugged.InConfig, hotplugged.Active, hotplugged.VfPciAddress, hotplugged.VfIndex));
        Assert.DoesNotContain(interfaces, i => i.MacAddress == "52:54:00:ff:37:67");
    }

    [Fact]
    public void DetachXml_IsTheElementWithoutLibvirtsAlias()
    {
        var running = GuestXml.Parse(Running).Interfaces[0];

        var detach = XElement.Parse(running.DetachXml());

        Assert.Null(detach.Element("alias"));
        Assert.Equal("52:54:00:7a:ef:e7", (string?)detach.Element("mac")!.Attribute("address"));
        Assert.NotNull(detach.Element("source")!.Element("address"));
    }

    [Theory]
    [InlineData(LibvirtErrorCodes.InternalError, "internal error: No more available PCI slots", nameof(ErrorCatalog.GuestPciSlotsExhausted), SriovErrorCategory.LimitsExceeded)]
    [InlineData(LibvirtErrorCodes.InternalError, "internal error: network 'eno49-sr-iov' requires exclusive access to interfaces, but none are available", nameof(ErrorCatalog.SriovPoolExhausted), SriovErrorCategory.ResourceUnavailable)]
    [InlineData(LibvirtErrorCodes.InternalError, "internal error: Unable to configure VF 0 of PF 'eth1' because the PF is not online. Please change host network config to put the PF online.", nameof(ErrorCatalog.PfNotOnline), SriovErrorCategory.InvalidOperation)]
    [InlineData(LibvirtErrorCodes.OperationInvalid, "Requested operation is not valid: domain is not running", nameof(ErrorCatalog.VmNotRunning), SriovErrorCategory.InvalidOperation)]
    [InlineData(LibvirtErrorCodes.NoDomain, "Domain not found: no domain with matching name 'z'", nameof(ErrorCatalog.VmNotFound), SriovErrorCategory.ObjectNotFound)]
    [InlineData(LibvirtErrorCodes.NoNetwork, "Network not found: no network with matching name 'eno49-sr-iov'", nameof(ErrorCatalog.LibvirtNetworkNotFound), SriovErrorCategory.ObjectNotFound)]
    [InlineData(LibvirtErrorCodes.XmlDetail, "XML error: invalid MAC address", nameof(ErrorCatalog.LibvirtDefinitionRejected), SriovErrorCategory.InvalidArgument)]
    public void TheSeedsFailures_HaveTheirOwnIds(int code, string message, string errorId, SriovErrorCategory category)
    {
        var error = LibvirtErrors.ForGuest(new LibvirtException("virDomainAttachDeviceFlags(z)", code, 10, message), "z-k8s-n-1", "add an interface");

        Assert.Equal((errorId, category), (error.ErrorId, error.Category));
    }

    [Fact]
    public void APfThatIsNotOnline_NamesTheCommandThatBringsItUp()
    {
        var error = LibvirtErrors.ForGuest(
            new LibvirtException("virDomainCreate(z)", LibvirtErrorCodes.InternalError, 10, "internal error: Unable to configure VF 0 of PF 'eth1' because the PF is not online. Please change host network config to put the PF online."),
            "z-k8s-n-1",
            "start the guest");

        Assert.Equal("Bring the PF up, now and at boot: Set-SriovPf -Name eth1 -LinkState Up -Persist.", error.Remedy);
    }
}
