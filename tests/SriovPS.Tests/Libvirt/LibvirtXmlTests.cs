using System.Linq;
using System.Xml.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>The network, guest and port XML the module writes and reads, without libvirt.</summary>
public sealed class LibvirtXmlTests
{
    [Fact]
    public void APoolOnOnePf_NamesThePf_AsTheSeedsWriteItByHand()
    {
        Assert.Equal(
            "<network>\n  <name>eno49-sr-iov</name>\n  <forward mode=\"hostdev\" managed=\"yes\">\n    <pf dev=\"eno49\" />\n  </forward>\n</network>",
            HostdevNetworkXml.ForPf("eno49-sr-iov", "eno49").ReplaceLineEndings("\n"));
    }

    [Fact]
    public void APoolOnSeveralPfs_ListsTheirVfsByPciAddress()
    {
        var xml = HostdevNetworkXml.ForAddresses("pool", ["0000:04:10.0", "0000:04:10.1"]);

        var parsed = HostdevNetworkXml.Parse(xml);
        Assert.Equal(["0000:04:10.0", "0000:04:10.1"], parsed.Addresses);
        Assert.Empty(parsed.PfNames);
        Assert.Contains("<address type=\"pci\" domain=\"0x0000\" bus=\"0x04\" slot=\"0x10\" function=\"0x1\" />", xml);
    }

    [Theory]
    [InlineData("a'b\"c<d>&e")]
    [InlineData("x</name><forward mode='nat'/><name>y")]
    public void NamesWithQuotesAndMarkup_StayText(string hostile)
    {
        var xml = HostdevNetworkXml.ForPf(hostile, hostile);

        var parsed = HostdevNetworkXml.Parse(xml);
        Assert.Equal(hostile, parsed.Name);
        Assert.Equal([hostile], parsed.PfNames);
        Assert.True(parsed.IsHostdev);
        Assert.Single(XElement.Parse(xml).Elements("forward"));
    }

    [Fact]
    public void ARunningPoolAsLibvirtShowsIt_GivesItsVfsAndConnections()
    {
        var parsed = HostdevNetworkXml.Parse("""
            <network connections='2'>
              <name>eno49-sr-iov</name>
              <uuid>0b8e7c9e-7e0b-4a5c-9d0c-6f9f6b3b1a11</uuid>
              <forward mode='hostdev' managed='yes'>
                <pf dev='eno49'/>
                <address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/>
                <address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/>
              </forward>
            </network>
            """);

        Assert.Equal((2, true), (parsed.Connections, parsed.Managed));
        Assert.Equal(["0000:04:10.0", "0000:04:10.4"], parsed.Addresses);
        Assert.Empty(parsed.OtherElements);
    }

    [Fact]
    public void ANatNetwork_IsNotAHostdevPool_AndItsExtraElementsAreNoted()
    {
        var parsed = HostdevNetworkXml.Parse("<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/><ip address='192.168.122.1'/></network>");

        Assert.False(parsed.IsHostdev);
        Assert.Equal(["bridge", "ip"], parsed.OtherElements);
    }

    [Fact]
    public void SameDefinition_IgnoresTheUuidAndAddressOrder_ButNotAnythingARedefinitionWouldDrop()
    {
        var ours = HostdevNetworkXml.Parse(HostdevNetworkXml.ForAddresses("p", ["0000:04:10.0", "0000:05:10.0"]));
        var stored = HostdevNetworkXml.Parse("<network><name>p</name><uuid>u</uuid><forward mode='hostdev' managed='yes'><address type='pci' domain='0' bus='5' slot='16' function='0'/><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/></forward></network>");
        var withVlan = HostdevNetworkXml.Parse("<network><name>p</name><forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/><address type='pci' domain='0x0000' bus='0x05' slot='0x10' function='0x0'/></forward><vlan><tag id='42'/></vlan></network>");

        Assert.True(stored.SameDefinitionAs(ours));
        Assert.False(withVlan.SameDefinitionAs(ours));
    }

    [Theory]
    [InlineData("<address domain='0x0000' bus='0x04' slot='0x10'/>")]
    [InlineData("<address domain='0x0000' bus='0x04' slot='0x20' function='0x0'/>")]
    [InlineData("<address domain='0x0000' bus='0x100' slot='0x10' function='0x0'/>")]
    [InlineData("<address domain='0x0000' bus='zz' slot='0x10' function='0x0'/>")]
    [InlineData("<address type='drive' controller='0' bus='0' unit='0'/>")]
    [InlineData("<address domain='-1' bus='0x04' slot='0x10' function='0x0'/>")]
    public void AddressesThatAreNotPciFunctions_AreNotRead(string address)
    {
        Assert.Null(LibvirtPciAddress.Read(XElement.Parse(address)));
    }

    [Fact]
    public void AGuest_CountsEachInterfaceOnANetwork_AndItsFixedVfs()
    {
        var guest = GuestXml.Parse("""
            <domain type='kvm'>
              <name>z-k8s-n-2</name>
              <devices>
                <interface type='network'><source network='eno49-sr-iov'/></interface>
                <interface type='network'><source network='eno49-sr-iov'/></interface>
                <interface type='network'><source network='default'/></interface>
                <interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/></source></interface>
                <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x04' slot='0x11' function='0x4'/></source></hostdev>
                <hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/></source></hostdev>
                <disk type='file'><source file='/x.img'/><address type='drive' controller='0' bus='0' unit='0'/></disk>
              </devices>
            </domain>
            """);

        Assert.Equal("z-k8s-n-2", guest.Name);
        Assert.Equal(2, guest.NetworkInterfaces.Count(n => n == "eno49-sr-iov"));
        Assert.Equal(["0000:04:10.0", "0000:04:11.4"], guest.PciDevices);
    }

    [Fact]
    public void APort_GivesItsGuestAndTheVfItWasHanded()
    {
        var port = NetworkPortXml.Parse("""
            <networkport>
              <uuid>5a4c1b83-1c52-4b2a-8e2a-1d6d3e0b8a01</uuid>
              <owner><name>z-k8s-n-1</name><uuid>2f9d5b5e-2a4b-4a35-9b8e-9b3c7f3e1c22</uuid></owner>
              <mac address='52:54:00:59:50:09'/>
              <plug type='hostdev-pci' managed='yes'><driver name='vfio'/><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></plug>
            </networkport>
            """);

        Assert.Equal(new NetworkPortXml("z-k8s-n-1", "52:54:00:59:50:09", "0000:04:10.4"), port);
        Assert.Equal(new NetworkPortXml("vm", null, null), NetworkPortXml.Parse("<networkport><owner><name>vm</name></owner><plug type='bridge' bridge='virbr0'/></networkport>"));
    }
}
