using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// Guests' SR-IOV interfaces added, read back and removed through libvirt's real QEMU driver, in
/// process (<c>qemu:///embed</c>): the seeds' <c>virsh attach-device … --config</c> with pools and
/// fixed VFs, and every refusal before anything changes. The guests are only defined, never started.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class VmSriovInterfaceEmbedTests : IDisposable
{
    private static readonly PfVfAddresses Eno49 = new("eno49", "0000:04:00.0", ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"]);

    private readonly EmbeddedQemu _qemu;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _guests = [];

    public VmSriovInterfaceEmbedTests(EmbeddedQemu qemu) => _qemu = qemu;

    private LibvirtConnection Connection()
    {
        Skip.If(_qemu.Unavailable is not null, _qemu.Unavailable);
        return LibvirtSessions.Connect(_qemu.Uri);
    }

    private string Define(string name, string devices = "")
    {
        string unique = $"{name}-{_suffix}";
        using var domain = Connection().DefineDomain(EmbeddedQemu.GuestXml(unique, devices));
        _guests.Add(unique);
        return unique;
    }

    public void Dispose()
    {
        if (_qemu.Unavailable is not null)
        {
            return;
        }

        foreach (var name in _guests)
        {
            using var domain = LibvirtSessions.Connect(_qemu.Uri).LookupDomain(name);
            domain?.Undefine();
        }
    }

    private static VmInterfaceRequest Pool(string vm, string network = "eno49-sr-iov", IReadOnlyList<string>? macs = null, int? count = null, bool config = true, bool live = false) =>
        new(vm, network, null, null, macs, count, null, null, config, live);

    private static VmInterfaceRequest Fixed(string vm, string vf, string? mac = null, int? vlan = null, string? profile = null) =>
        new(vm, null, vf, "eno49 vf 0", mac is null ? null : [mac], null, vlan, profile, true, false);

    private VmSriovInterfaceAddition Plan(VmInterfaceRequest request) =>
        VmSriovInterfaceAddition.Plan(LibvirtInventory.Read(Connection()), [], [Eno49], request);

    private List<string> Add(VmInterfaceRequest request) => Plan(request).Apply(Connection(), new HostReport());

    private List<VmSriovInterface> Interfaces(string vm)
    {
        var inventory = LibvirtInventory.Read(Connection());
        return VmSriovInterfaceReport.Describe(_qemu.Uri, inventory.Guest(vm)!, inventory, [], [Eno49]);
    }

    private string InactiveXml(string vm)
    {
        using var domain = Connection().LookupDomain(vm)!;
        return domain.InactiveXml;
    }

    [SkippableFact]
    public void APoolInterface_GoesIntoTheDefinition_WithAFreshMac_AndReadsBack()
    {
        string vm = Define("z-k8s-n-1");

        var plan = Plan(Pool(vm));
        var restart = plan.Apply(Connection(), new HostReport());

        Assert.Empty(restart);
        var added = Assert.Single(Interfaces(vm));
        Assert.Equal(plan.MacAddresses.Single(), added.MacAddress);
        Assert.StartsWith("52:54:00:", added.MacAddress, StringComparison.Ordinal);
        Assert.Equal(("eno49-sr-iov", (string?)null, true, false, false), (added.Network, added.SourcePciAddress, added.InConfig, added.Active, added.VmRunning));
        var element = XElement.Parse(InactiveXml(vm)).Element("devices")!.Element("interface")!;
        Assert.Equal(("network", "eno49-sr-iov"), ((string?)element.Attribute("type"), (string?)element.Element("source")!.Attribute("network")));
    }

    [SkippableFact]
    public void AFixedVf_WithTheSeedsVlan_OrPortProfile_IsAManagedHostdevInterface()
    {
        string vm = Define("MyGuest");

        // The seeds give both; libvirt refuses a VLAN with an 802.1Qbh profile on a VF, so each goes on its own VF here.
        Add(Fixed(vm, "0000:04:10.0", "52:54:00:6D:90:02", vlan: 42));
        Add(Fixed(vm, "0000:04:10.4", "52:54:00:6D:90:03", profile: "finance"));

        var elements = XElement.Parse(InactiveXml(vm)).Element("devices")!.Elements("interface").ToList();
        Assert.Equal(("hostdev", "yes"), ((string?)elements[0].Attribute("type"), (string?)elements[0].Attribute("managed")));
        Assert.Equal("0000:04:10.0", LibvirtPciAddress.Read(elements[0].Element("source")!.Element("address")!));
        Assert.Equal("42", (string?)elements[0].Element("vlan")!.Element("tag")!.Attribute("id"));
        var port = elements[1].Element("virtualport")!;
        Assert.Equal(("802.1Qbh", "finance"), ((string?)port.Attribute("type"), (string?)port.Element("parameters")!.Attribute("profileid")));
        var read = Interfaces(vm);
        Assert.Equal(("52:54:00:6d:90:02", "0000:04:10.0", 42, (string?)null), (read[0].MacAddress, read[0].SourcePciAddress, read[0].Vlan, read[0].VirtualPortProfileId));
        Assert.Equal(("eno49", 0, (string?)null), (read[0].PfName, read[0].VfIndex, read[0].Network));
        Assert.Equal(("52:54:00:6d:90:03", (int?)null, "finance", 1), (read[1].MacAddress, read[1].Vlan, read[1].VirtualPortProfileId, read[1].VfIndex));
    }

    [SkippableFact]
    public void FourPoolInterfaces_WithGivenMacs_RunAgain_AddNothing()
    {
        string vm = Define("z-k8s-n-2");
        string[] macs = ["52:54:00:2b:4e:d3", "52:54:00:47:82:9e", "52:54:00:ed:e4:a3", "52:54:00:16:55:cf"];
        Add(Pool(vm, macs: macs));
        string before = InactiveXml(vm);

        var again = Plan(Pool(vm, macs: macs));

        var otherVlan = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () =>
            Plan(new VmInterfaceRequest(vm, "eno49-sr-iov", null, null, macs, null, 42, null, true, false)));

        Assert.Empty(again.Interfaces);
        Assert.Equal(ErrorCatalog.InvalidVmInterfaceArgument, otherVlan.Id);
        Assert.Equal(4, again.Notes.Count);
        Assert.Equal(macs, Interfaces(vm).Select(i => i.MacAddress));
        Assert.Equal(before, InactiveXml(vm));
    }

    [SkippableFact]
    public void AFixedVfAnotherGuestHas_IsRefused_VfOwnedByGuest_AndNothingChanges()
    {
        string owner = Define("z-k8s-n-1");
        string other = Define("z-k8s-n-2");
        Add(Fixed(owner, "0000:04:10.4"));
        string before = InactiveXml(other);

        var error = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => Plan(Fixed(other, "0000:04:10.4")));

        Assert.Equal(ErrorCatalog.VfOwnedByGuest, error.Id);
        Assert.Equal($"VF 0000:04:10.4 (eno49 vf 0) already belongs to the guest '{owner}', fixed in its definition (it does not run with it now): one VF can be given to one guest only.", error.Message);
        // Get-SriovVf's Owner names running guests only, so the remedy names the VF a stopped guest's definition holds.
        Assert.StartsWith("Pick a VF with Get-SriovVf | Where-Object { $null -eq $_.Owner -and $_.PciAddress -notin '0000:04:10.4' }", error.Remedy);
        Assert.Contains($"0000:04:10.4 in '{owner}'", error.Remedy);
        Assert.Equal(before, InactiveXml(other));
    }

    [SkippableFact]
    public void AMacAnotherGuestUses_IsRefused_MacAddressInUse()
    {
        string first = Define("z-k8s-n-1");
        string second = Define("z-k8s-n-2");
        Add(Pool(first, macs: ["52:54:00:59:50:09"]));

        var error = SriovAssert.Throws(SriovErrorCategory.ResourceExists, () => Plan(Pool(second, macs: ["52:54:00:59:50:09"])));

        Assert.Equal((ErrorCatalog.MacAddressInUse, SriovErrorCategory.ResourceExists), (error.Id, error.Category));
        Assert.Contains($"the guest '{first}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Interfaces(second));
    }

    [SkippableFact]
    public void AnUnknownGuest_IsVmNotFound_AnObjectNotFound()
    {
        Connection();

        var error = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => Plan(Pool("no-such-guest-" + _suffix)));

        Assert.Equal((ErrorCatalog.VmNotFound, SriovErrorCategory.ObjectNotFound), (error.Id, error.Category));
        Assert.Equal($"There is no libvirt guest 'no-such-guest-{_suffix}'.", error.Message);
    }

    [SkippableFact]
    public void AGuestUndefinedBetweenPlanAndAttach_IsVmNotFound()
    {
        string vm = Define("z-k8s-n-1");
        var plan = Plan(Pool(vm));
        using (var domain = Connection().LookupDomain(vm)!)
        {
            domain.Undefine();
        }

        var error = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => plan.Apply(Connection(), new HostReport()));

        Assert.Equal(ErrorCatalog.VmNotFound, error.Id);
    }

    [SkippableFact]
    public void LiveOnAStoppedGuest_IsVmNotRunning_Alone_AndDefinitionOnlyWithConfig()
    {
        string vm = Define("z-k8s-n-1");

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => Plan(Pool(vm, config: false, live: true)));
        var both = Plan(Pool(vm, config: true, live: true));

        Assert.Equal(ErrorCatalog.VmNotRunning, error.Id);
        Assert.Equal([(true, false)], both.Interfaces.Select(i => (i.ToConfig, i.ToLive)));
        Assert.Contains("is not running: the interfaces go into its definition only", both.Notes.Single(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(new[] { "52:54:00:00:00:01", "52:54:00:00:00:02" }, 3, null, null)]
    [InlineData(new[] { "52:54:00:00:00:01", "52:54:00:00:00:01" }, null, null, null)]
    [InlineData(null, null, 4096, null)]
    [InlineData(null, null, null, "has space")]
    [InlineData(null, null, null, "a-profile-id-that-is-longer-than-39-chars")]
    [InlineData(null, null, 42, "finance")]
    public void InvalidRequests_AreInvalidVmInterfaceArgument_AndChangeNothing(string[]? macs, int? count, int? vlan, string? profile)
    {
        string vm = Define("z-k8s-n-1");

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => Plan(new VmInterfaceRequest(vm, "eno49-sr-iov", null, null, macs, count, vlan, profile, true, false)));

        Assert.Equal(ErrorCatalog.InvalidVmInterfaceArgument, error.Id);
        Assert.Empty(Interfaces(vm));
    }

    [SkippableFact]
    public void AMulticastMac_IsInvalidMacAddress()
    {
        string vm = Define("z-k8s-n-1");

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => Plan(Pool(vm, macs: ["01:00:5e:00:00:01"])));

        Assert.Equal(ErrorCatalog.InvalidMacAddress, error.Id);
    }

    [SkippableFact]
    public void RemovingByMac_TakesItOutOfTheDefinition_ThenItIsNotFound()
    {
        string vm = Define("z-k8s-n-1");
        Add(Pool(vm, macs: ["52:54:00:2b:4e:d3", "52:54:00:47:82:9e"]));
        var inventory = LibvirtInventory.Read(Connection());

        var removal = VmSriovInterfaceRemoval.Plan(inventory, [], vm, "52-54-00-2B-4E-D3", config: true, live: false);
        bool released = removal.Apply(Connection());

        Assert.True(released);
        Assert.Equal("remove the SR-IOV interface 52:54:00:2b:4e:d3 on pool 'eno49-sr-iov' from the guest's definition (from its next start)", removal.Action);
        Assert.Equal(["52:54:00:47:82:9e"], Interfaces(vm).Select(i => i.MacAddress));
        var again = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () =>
            VmSriovInterfaceRemoval.Plan(LibvirtInventory.Read(Connection()), [], vm, "52:54:00:2b:4e:d3", config: true, live: false));
        Assert.Equal(ErrorCatalog.VmSriovInterfaceNotFound, again.Id);
    }

    [SkippableFact]
    public void AVirtioInterface_IsNotListed_AndRemovingItIsRefused_NotSriovInterface()
    {
        const string Virtio = "<interface type='user'><mac address='52:54:00:ff:37:67'/><model type='virtio'/></interface>";
        string vm = Define("z-k8s-n-1", Virtio);
        Add(Fixed(vm, "0000:04:11.0"));
        string before = InactiveXml(vm);

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () =>
            VmSriovInterfaceRemoval.Plan(LibvirtInventory.Read(Connection()), [], vm, "52:54:00:ff:37:67", config: true, live: false));

        Assert.Equal(ErrorCatalog.NotSriovInterface, error.Id);
        Assert.Equal(["0000:04:11.0"], Interfaces(vm).Select(i => i.SourcePciAddress));
        Assert.Equal(before, InactiveXml(vm));
    }

    [SkippableFact]
    public void AConnectionWithoutANetworkDriver_ListsNoNetworks_AndPoolInterfacesAreStillListed()
    {
        string vm = Define("z-k8s-n-1");
        Add(Pool(vm, network: "any-network"));

        var inventory = LibvirtInventory.Read(Connection());

        Assert.False(inventory.NetworksListed);
        Assert.Equal("any-network", Assert.Single(Interfaces(vm)).Network);
    }

    [SkippableFact]
    public void AFixedVfTheGuestHas_AskedAgainWithoutAMac_IsFound_AndWithAnotherMac_IsRefused()
    {
        string vm = Define("MyGuest");
        Add(Fixed(vm, "0000:04:12.0", "52:54:00:6d:90:02"));
        string before = InactiveXml(vm);

        var again = Plan(Fixed(vm, "0000:04:12.0"));
        var other = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => Plan(Fixed(vm, "0000:04:12.0", "52:54:00:6d:90:03")));
        var two = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () =>
            Plan(new VmInterfaceRequest(vm, null, "0000:04:12.4", null, ["52:54:00:00:00:01", "52:54:00:00:00:02"], null, null, null, true, false)));

        Assert.Empty(again.Interfaces);
        Assert.Equal(["52:54:00:6d:90:02"], again.MacAddresses);
        Assert.Equal(ErrorCatalog.VfOwnedByGuest, other.Id);
        Assert.Equal(ErrorCatalog.InvalidVmInterfaceArgument, two.Id);
        Assert.Equal(before, InactiveXml(vm));
    }

    [SkippableFact]
    public void RemovingLiveOnlyFromAStoppedGuest_IsVmNotRunning()
    {
        string vm = Define("z-k8s-n-1");
        Add(Pool(vm, macs: ["52:54:00:2b:4e:d3"]));

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () =>
            VmSriovInterfaceRemoval.Plan(LibvirtInventory.Read(Connection()), [], vm, "52:54:00:2b:4e:d3", config: false, live: true));

        Assert.Equal(ErrorCatalog.VmNotRunning, error.Id);
        Assert.Single(Interfaces(vm));
    }

    [SkippableFact]
    public void AQ35GuestsFreeHotplugSlots_AreItsEmptyRootPorts_AsLibvirtDefinesThem()
    {
        const string nic = "<interface type='network'><mac address='52:54:00:aa:00:01'/><source network='default'/><model type='virtio'/></interface>";

        // Without root ports of its own, libvirt gives each device one and adds a single spare.
        string spare = Define("slots-spare", nic);
        using (var domain = Connection().LookupDomain(spare)!)
        {
            Assert.Equal(1, GuestXml.Parse(domain.InactiveXml).FreeHotplugSlots);
        }

        // Five given: the NIC, USB and balloon take three, two stay free and no spare is added.
        string ports = "<controller type='pci' index='0' model='pcie-root'/>" + string.Concat(Enumerable.Repeat("<controller type='pci' model='pcie-root-port'/>", 5));
        string given = Define("slots-given", nic + ports);
        using (var domain = Connection().LookupDomain(given)!)
        {
            Assert.Equal(2, GuestXml.Parse(domain.InactiveXml).FreeHotplugSlots);
        }
    }
}
