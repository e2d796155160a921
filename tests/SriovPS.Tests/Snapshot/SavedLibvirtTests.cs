using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using SriovPS.Snapshot;
using SriovPS.Tests.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// libvirt as a snapshot saves it, read from real drivers: hostdev networks from the test driver
/// (<c>test:///default</c>), guests from the embedded QEMU driver. Read back, every state a report
/// reads is what the live connection gave.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class SavedLibvirtTests : IDisposable
{
    private const string Fixed = "<interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/></source><vlan><tag id='42'/></vlan></interface>";
    private const string Hostdev = "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></hostdev>";
    private const string Plain = "<interface type='user'><mac address='52:54:00:6d:90:09'/></interface>";

    private readonly EmbeddedQemu _qemu;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly string _snapshot = Directory.CreateTempSubdirectory("sriovps-saved-libvirt-").FullName;
    private readonly List<string> _networks = [];
    private readonly List<string> _guests = [];

    public SavedLibvirtTests(EmbeddedQemu qemu) => _qemu = qemu;

    public void Dispose()
    {
        if (LibvirtCollection.Unavailable is null)
        {
            foreach (var name in _networks)
            {
                using var network = LibvirtSessions.Connect(LibvirtCollection.TestUri).LookupNetwork(name);
                if (network is not null && network.IsActive)
                {
                    network.Destroy();
                }

                network?.Undefine();
            }
        }

        if (_qemu.Unavailable is null)
        {
            foreach (var name in _guests)
            {
                using var domain = LibvirtSessions.Connect(_qemu.Uri).LookupDomain(name);
                domain?.Undefine();
            }
        }

        Directory.Delete(_snapshot, recursive: true);
    }

    private static LibvirtConnection TestDriver()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        return LibvirtSessions.Connect(LibvirtCollection.TestUri);
    }

    private LibvirtConnection Embedded()
    {
        Skip.If(_qemu.Unavailable is not null, _qemu.Unavailable);
        return LibvirtSessions.Connect(_qemu.Uri);
    }

    private string DefineNetwork(string name, string xml, bool start, bool autostart)
    {
        using var network = TestDriver().DefineNetwork(xml);
        _networks.Add(name);
        if (start)
        {
            network.Create();
        }

        network.SetAutostart(autostart);
        return name;
    }

    private string DefineGuest(string name, string devices)
    {
        string unique = $"{name}-{_suffix}";
        using var domain = Embedded().DefineDomain(EmbeddedQemu.GuestXml(unique, devices));
        _guests.Add(unique);
        return unique;
    }

    private (List<string> Written, string Uri, LibvirtInventory Inventory) RoundTrip(string uri, LibvirtInventory inventory)
    {
        var written = SavedLibvirt.Write(_snapshot, uri, inventory);
        var (readUri, read) = SavedLibvirt.Read(_snapshot);
        return (written, readUri, read);
    }

    [SkippableFact]
    public void Networks_FromTheTestDriver_ReadBackTheSame()
    {
        string onPf = DefineNetwork($"pf-pool-{_suffix}", HostdevNetworkXml.ForPf($"pf-pool-{_suffix}", "eno49"), start: true, autostart: true);
        string fixedList = DefineNetwork(
            $"vf-list-{_suffix}", HostdevNetworkXml.ForAddresses($"vf-list-{_suffix}", ["0000:04:10.0", "0000:04:10.1"]), start: false, autostart: false);
        var live = LibvirtInventory.Read(TestDriver());

        var (written, uri, read) = RoundTrip(LibvirtCollection.TestUri, live);

        Assert.Equal(LibvirtCollection.TestUri, uri);
        Assert.Equal(live.NetworksListed, read.NetworksListed);
        Assert.Equal(live.NetworkNames.Order(), read.NetworkNames.Order());
        Assert.Contains("default", read.NetworkNames);
        Assert.Equal(live.Networks.Select(SavedLibvirtShapes.Of), read.Networks.Select(SavedLibvirtShapes.Of));
        Assert.Equal((true, true, true), (read.Network(onPf)!.Active, read.Network(onPf)!.Autostart, read.Network(onPf)!.Persistent));
        Assert.Equal(["eno49"], read.Network(onPf)!.Definition.PfNames);
        Assert.Equal((false, false, true), (read.Network(fixedList)!.Active, read.Network(fixedList)!.Autostart, read.Network(fixedList)!.Persistent));
        Assert.Equal(["0000:04:10.0", "0000:04:10.1"], read.Network(fixedList)!.Definition.Addresses);
        Assert.All(written, file => Assert.True(File.Exists(Path.Combine(_snapshot, file)), file));
    }

    [SkippableFact]
    public void TheTestDriversGuestWithoutSriov_KeepsOnlyItsNameAndState_AndNoXmlFile()
    {
        var live = LibvirtInventory.Read(TestDriver());
        Assert.True(live.Guest("test")!.Active);

        var (written, _, read) = RoundTrip(LibvirtCollection.TestUri, live);

        var guest = read.Guest("test")!;
        Assert.True(guest.Active);
        Assert.Equal(("test", 0, 0, 0), (guest.Definition.Name, guest.Definition.Interfaces.Count, guest.Definition.NetworkInterfaces.Count, guest.Definition.PciDevices.Count));
        Assert.DoesNotContain(written, f => f.Contains("-test", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_snapshot, SavedLibvirt.DirectoryName)), f => f.Contains("guest", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Guests_FromEmbeddedQemu_ReadBackTheSame_AndOnlyTheirsWithSriovAreWritten()
    {
        string withInterface = DefineGuest("fixed-vf", Fixed + Plain);
        string withHostdev = DefineGuest("hostdev", Hostdev);
        string plain = DefineGuest("plain", Plain);
        var live = LibvirtInventory.Read(Embedded());

        var (written, uri, read) = RoundTrip(_qemu.Uri, live);

        Assert.Equal(_qemu.Uri, uri);
        Assert.False(read.NetworksListed);
        foreach (var name in new[] { withInterface, withHostdev })
        {
            Assert.Equal(SavedLibvirtShapes.Of(live.Guest(name)!), SavedLibvirtShapes.Of(read.Guest(name)!));
            Assert.Contains(written, f => f.EndsWith($"-{name}.xml", StringComparison.Ordinal));
        }

        Assert.Equal(["0000:04:10.0"], read.Guest(withInterface)!.Definition.PciDevices);
        Assert.Equal([42], read.Guest(withInterface)!.Definition.Interfaces[0].VlanTags);
        Assert.Equal(["0000:04:10.4"], read.Guest(withHostdev)!.Definition.PciDevices);
        Assert.Equal((false, 0), (read.Guest(plain)!.Active, read.Guest(plain)!.Definition.MacAddresses.Count));
        Assert.Null(read.Guest(plain)!.Running);
        Assert.DoesNotContain(written, f => f.Contains(plain, StringComparison.Ordinal));
        Assert.Equal(live.Guests.Select(g => g.Name).Order(), read.Guests.Select(g => g.Name).Order());
        Assert.Equal(SavedLibvirtShapes.Interfaces(_qemu.Uri, live), SavedLibvirtShapes.Interfaces(_qemu.Uri, read));
    }

    // Without a network driver no pool is known, so the live report lists an interface on any libvirt
    // network (it may be a pool); the snapshot keeps what that report needs of such a guest, and the
    // report from the snapshot lists the same interfaces.
    [SkippableFact]
    public void GuestOnANetwork_WithoutANetworkDriver_ReportsTheSameInterfaces()
    {
        DefineGuest("on-network", "<interface type='network'><mac address='52:54:00:6d:90:05'/><source network='eno49-sr-iov'/></interface>");
        var live = LibvirtInventory.Read(Embedded());
        Assert.NotEmpty(SavedLibvirtShapes.Interfaces(_qemu.Uri, live));

        var (_, _, read) = RoundTrip(_qemu.Uri, live);

        Assert.Equal(SavedLibvirtShapes.Interfaces(_qemu.Uri, live), SavedLibvirtShapes.Interfaces(_qemu.Uri, read));
    }

    [SkippableFact]
    public void GuestsOnAPool_WithTheTestDriversNetworks_ReadBackTheSame()
    {
        string pool = DefineNetwork($"pool-{_suffix}", HostdevNetworkXml.ForPf($"pool-{_suffix}", "eno49"), start: true, autostart: false);
        string onPool = DefineGuest("on-pool", $"<interface type='network'><mac address='52:54:00:6d:90:06'/><source network='{pool}'/><vlan><tag id='7'/></vlan></interface>");
        string onNat = DefineGuest("on-nat", "<interface type='network'><mac address='52:54:00:6d:90:07'/><source network='default'/></interface>");
        var networks = LibvirtInventory.Read(TestDriver());
        var guests = LibvirtInventory.Read(Embedded());
        // One host's inventory: the test driver's networks with the embedded driver's guests.
        var live = LibvirtInventory.FromStates(
            networks.Networks, guests.Guests, networks.NetworkNames.Except(networks.Networks.Select(n => n.Name)));

        var (written, _, read) = RoundTrip(LibvirtCollection.TestUri, live);

        Assert.Equal(SavedLibvirtShapes.Of(live.Guest(onPool)!), SavedLibvirtShapes.Of(read.Guest(onPool)!));
        Assert.Equal([pool], read.Guest(onPool)!.Definition.NetworkInterfaces);
        Assert.Empty(read.Guest(onNat)!.Definition.NetworkInterfaces);
        Assert.DoesNotContain(written, f => f.Contains(onNat, StringComparison.Ordinal));
        Assert.Equal(SavedLibvirtShapes.Interfaces(LibvirtCollection.TestUri, live), SavedLibvirtShapes.Interfaces(LibvirtCollection.TestUri, read));
    }

    // The live report lists an interface on a network the host does not define (most likely a removed
    // pool, so it can be removed); the report from the snapshot lists the same interfaces.
    [SkippableFact]
    public void GuestOnARemovedNetwork_ReportsTheSameInterfaces()
    {
        DefineGuest("on-removed", "<interface type='network'><mac address='52:54:00:6d:90:08'/><source network='removed-pool'/></interface>");
        var networks = LibvirtInventory.Read(TestDriver());
        var guests = LibvirtInventory.Read(Embedded());
        var live = LibvirtInventory.FromStates(
            networks.Networks, guests.Guests, networks.NetworkNames.Except(networks.Networks.Select(n => n.Name)));
        Assert.NotEmpty(SavedLibvirtShapes.Interfaces(LibvirtCollection.TestUri, live));

        var (_, _, read) = RoundTrip(LibvirtCollection.TestUri, live);

        Assert.Equal(SavedLibvirtShapes.Interfaces(LibvirtCollection.TestUri, live), SavedLibvirtShapes.Interfaces(LibvirtCollection.TestUri, read));
    }
}
