using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using SriovPS.Libvirt;
using SriovPS.Snapshot;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// The parts of a saved libvirt no driver here produces (a running pool's ports, as libvirtd's
/// network driver gives them), and libvirt.json naming files outside its directory.
/// </summary>
public sealed class SavedLibvirtIndexTests : IDisposable
{
    private const string Uri = "qemu:///system";
    private const string Definition = "<network><name>eno49-sr-iov</name><uuid>5d8a1bb4-3a4e-4d3e-9f1e-0a1b2c3d4e5f</uuid><forward mode='hostdev' managed='yes'><pf dev='eno49'/></forward></network>";
    private const string Running = "<network connections='2'><name>eno49-sr-iov</name><uuid>5d8a1bb4-3a4e-4d3e-9f1e-0a1b2c3d4e5f</uuid><forward mode='hostdev' managed='yes'><pf dev='eno49'/><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></forward></network>";
    private const string Guest = "<domain type='kvm'><name>vm1</name><uuid>0b7a2f1e-1111-4c2d-9e3f-222233334444</uuid><devices><interface type='network'><mac address='52:54:00:6d:90:02'/><source network='eno49-sr-iov'/></interface></devices></domain>";
    private const string GuestRunning = "<domain type='kvm' id='3'><name>vm1</name><uuid>0b7a2f1e-1111-4c2d-9e3f-222233334444</uuid><devices><interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></interface></devices></domain>";

    private static readonly string[] Ports = [Port("vm1", "52:54:00:6D:90:02", "0x4"), Port("vm2", "52:54:00:6d:90:03", "0x0")];

    private readonly string _snapshot = Directory.CreateTempSubdirectory("sriovps-saved-index-").FullName;

    public void Dispose() => Directory.Delete(_snapshot, recursive: true);

    private static string Port(string owner, string mac, string function) =>
        $"<networkport><uuid>{Guid.NewGuid()}</uuid><owner><name>{owner}</name><uuid>0b7a2f1e-1111-4c2d-9e3f-222233334444</uuid></owner><mac address='{mac}'/>" +
        $"<plug type='hostdev-pci' managed='yes'><driver name='vfio'/><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='{function}'/></plug></networkport>";

    private static LibvirtInventory Inventory()
    {
        var network = HostdevNetworkState.FromXml(
            "eno49-sr-iov", active: true, autostart: true, persistent: true,
            new LibvirtXml(Definition, Running, Ports))!;
        var guest = GuestState.FromXml("vm1", active: true, new LibvirtXml(Guest, GuestRunning));
        return LibvirtInventory.FromStates([network], [guest], ["default"]);
    }

    private string Index => Path.Combine(_snapshot, SavedLibvirt.DirectoryName, "libvirt.json");

    [Fact]
    public void ARunningPoolsPorts_AndItsGuest_ReadBackTheSame()
    {
        var live = Inventory();
        SavedLibvirt.Write(_snapshot, Uri, live);
        var (_, read) = SavedLibvirt.Read(_snapshot);

        Assert.Equal(live.Networks.Select(SavedLibvirtShapes.Of), read.Networks.Select(SavedLibvirtShapes.Of));
        Assert.Equal(2, read.Network("eno49-sr-iov")!.Ports!.Count);
        Assert.Equal(SavedLibvirtShapes.Of(live.Guest("vm1")!), SavedLibvirtShapes.Of(read.Guest("vm1")!));
        Assert.Equal(live.VfOwners().OrderBy(o => o.Key), read.VfOwners().OrderBy(o => o.Key));
        Assert.Equal(SavedLibvirtShapes.Interfaces(Uri, live), SavedLibvirtShapes.Interfaces(Uri, read));
        Assert.Equal(["default", "eno49-sr-iov"], read.NetworkNames.Order());
    }

    [Fact]
    public void TheSavedFiles_AreTheXmlAsLibvirtGaveIt()
    {
        var written = SavedLibvirt.Write(_snapshot, Uri, Inventory());

        Assert.Equal("libvirt/libvirt.json", written[0]);
        var texts = written.Skip(1).Select(f => File.ReadAllText(Path.Combine(_snapshot, f))).ToList();
        Assert.Equal([Definition, Running, Ports[0], Ports[1], Guest, GuestRunning], texts);
    }

    [Theory]
    [InlineData("definition")]
    [InlineData("running")]
    public void AnIndexNamingAFileOutside_IsRefused(string field)
    {
        SavedLibvirt.Write(_snapshot, Uri, Inventory());
        File.WriteAllText(Path.Combine(_snapshot, "x.xml"), Definition);
        var index = JsonNode.Parse(File.ReadAllText(Index))!;
        index["networks"]![0]![field] = "../x.xml";
        File.WriteAllText(Index, index.ToJsonString());

        Assert.Throws<FormatException>(() => SavedLibvirt.Read(_snapshot));
    }

    [Theory]
    [InlineData("../x.xml")]
    [InlineData("/etc/hostname")]
    [InlineData("..")]
    [InlineData("sub/x.xml")]
    public void AnIndexNamingAPortOrGuestFileOutside_IsRefused(string name)
    {
        SavedLibvirt.Write(_snapshot, Uri, Inventory());
        File.WriteAllText(Path.Combine(_snapshot, "x.xml"), Definition);
        var index = JsonNode.Parse(File.ReadAllText(Index))!;
        index["networks"]![0]!["ports"]![0] = name;
        File.WriteAllText(Index, index.ToJsonString());
        Assert.Throws<FormatException>(() => SavedLibvirt.Read(_snapshot));

        SavedLibvirt.Write(_snapshot, Uri, Inventory());
        index = JsonNode.Parse(File.ReadAllText(Index))!;
        index["guests"]![0]!["definition"] = name;
        File.WriteAllText(Index, index.ToJsonString());
        Assert.Throws<FormatException>(() => SavedLibvirt.Read(_snapshot));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"uri": "qemu:///system", "networksListed": true, "networks": [{"name": "n", "active": true, "autostart": false, "persistent": true, "definition": "missing.xml"}], "otherNetworks": [], "guests": [], "otherGuests": []}""")]
    public void AMalformedIndex_OrAMissingFile_IsAFormatException(string json)
    {
        Directory.CreateDirectory(Path.Combine(_snapshot, SavedLibvirt.DirectoryName));
        File.WriteAllText(Index, json);

        Assert.Throws<FormatException>(() => SavedLibvirt.Read(_snapshot));
    }

    [Fact]
    public void ASavedFileThatIsNotXml_IsAFormatException()
    {
        var written = SavedLibvirt.Write(_snapshot, Uri, Inventory());
        File.WriteAllText(Path.Combine(_snapshot, written[1]), "<network><name>broken");

        Assert.Throws<FormatException>(() => SavedLibvirt.Read(_snapshot));
    }

    [Fact]
    public void NamesWithUnsafeCharacters_AreSavedUnderSafeFileNames()
    {
        string definition = Definition.Replace("eno49-sr-iov", "../pool one", StringComparison.Ordinal);
        var network = HostdevNetworkState.FromXml("../pool one", false, false, true, new LibvirtXml(definition, null, []))!;
        var written = SavedLibvirt.Write(_snapshot, Uri, LibvirtInventory.FromStates([network], [], []));

        Assert.All(written, f => Assert.Matches("^libvirt/[A-Za-z0-9._-]+$", f));
        Assert.Equal("../pool one", SavedLibvirt.Read(_snapshot).Inventory.Networks.Single().Name);
    }
}
