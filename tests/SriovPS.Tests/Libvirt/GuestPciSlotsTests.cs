using System.Xml.Linq;
using SriovPS.Libvirt.Guests;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// Free hot-plug slots counted from guest XML (as libvirt's QEMU driver writes it, in
/// VmSriovInterfaceEmbedTests).
/// </summary>
public sealed class GuestPciSlotsTests
{
    private static int Free(string devices) => GuestPciSlots.FreeHotplug(XElement.Parse("<devices>" + devices + "</devices>"));

    [Fact]
    public void Empty_root_ports_count_and_the_pcie_root_bus_does_not()
    {
        Assert.Equal(2, Free("""
            <controller type='pci' index='0' model='pcie-root'/>
            <controller type='pci' index='1' model='pcie-root-port'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></controller>
            <controller type='pci' index='2' model='pcie-root-port'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></controller>
            <controller type='pci' index='3' model='pcie-root-port'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x2'/></controller>
            <controller type='pci' index='4' model='pcie-root-port'><target hotplug='off'/></controller>
            <hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source>
              <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></hostdev>
            """));
    }

    [Fact]
    public void A_conventional_bus_has_slots_1_to_31()
    {
        Assert.Equal(28, Free("""
            <controller type='pci' index='0' model='pci-root'/>
            <controller type='usb' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/></controller>
            <controller type='ide' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/></controller>
            <interface type='network'><source network='default'/><address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></interface>
            <memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></memballoon>
            """));
    }
}
