using System.Collections.Generic;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>
/// Pool.State and Guest.PciSlots on the seeds' I350 host with libvirt's state given as read (pools,
/// ports, guests' definitions and running XML): the seeds' "requires exclusive access to interfaces,
/// but none are available" and "No more available PCI slots".
/// </summary>
public sealed class PoolCheckTests
{
    private const string Pool = "eno49-sr-iov";
    private const string NoneAvailable = "\"network 'eno49-sr-iov' requires exclusive access to interfaces, but none are available\"";
    private static readonly string[] Eno49Vfs = ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"];

    internal static List<PfVfAddresses> PfVfs(HostTree tree) =>
        new SriovDiscovery(tree.Files).GetPfs().Select(p => new PfVfAddresses(p.Name!, p.PciAddress, VfAddressList.Read(tree.Files, p.PciAddress))).ToList();

    internal static HostdevNetworkState PfPool(string name, string pf, bool active, string[] running, params NetworkPortXml[] ports)
    {
        var definition = HostdevNetworkXml.Parse(HostdevNetworkXml.ForPf(name, pf));
        return new HostdevNetworkState(name, active, true, true, definition, active ? definition with { Addresses = running } : null, active ? ports : []);
    }

    /// <summary>A guest with <paramref name="defined"/> pool interfaces in its definition and <paramref name="live"/> of them running, on root ports 1…N.</summary>
    internal static GuestState Guest(string name, int defined, int live = 0, int spareRootPorts = 0, string network = Pool)
    {
        string Interface(int i, bool running) => running
            ? $"<interface type='hostdev' managed='yes'><mac address='52:54:00:00:00:{i:x2}'/><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x{i}'/></source><address type='pci' domain='0x0000' bus='0x{i + 1:x2}' slot='0x00' function='0x0'/></interface>"
            : $"<interface type='network'><mac address='52:54:00:00:00:{i:x2}'/><source network='{network}'/></interface>";
        string ports = string.Concat(Enumerable.Range(1, live + spareRootPorts).Select(i =>
            $"<controller type='pci' index='{i}' model='pcie-root-port'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x{i - 1}'/></controller>"));
        var definition = GuestXml.Parse($"<domain><name>{name}</name><devices>{string.Concat(Enumerable.Range(0, defined).Select(i => Interface(i, false)))}</devices></domain>");
        var running = live == 0 && spareRootPorts == 0 ? null : GuestXml.Parse(
            $"<domain id='1'><name>{name}</name><devices><controller type='pci' index='0' model='pcie-root'/>{ports}" +
            $"{string.Concat(Enumerable.Range(0, live).Select(i => Interface(i, true)))}</devices></domain>");
        return new GuestState(name, running is not null, definition, running);
    }

    private static List<SriovHostCheck> RunWith(HostTree tree, HostdevNetworkState[] pools, params GuestState[] guests) =>
        Run(tree, LibvirtFacts.FromInventory("qemu:///system", LibvirtInventory.FromStates(pools, guests, ["default"]), PfVfs(tree)));

    [Fact]
    public void An_idle_running_pool_passes()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs)], Guest("z-k8s-n-1", 2)), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("'eno49-sr-iov' on eno49: 7 VFs, 0 in use, 2 interfaces of defined guests on it.", check.Finding);
    }

    [Fact]
    public void More_interfaces_defined_than_vfs_is_the_seeds_overcommit()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs)], Guest("z-k8s-n-1", 4), Guest("z-k8s-n-3", 3), Guest("z-k8s-n-2", 1)), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Equal(
            "The guests defined on the pool have 8 interfaces on it but it has 7 VFs: they cannot all run at once. " +
            $"The guest that starts when none is free fails with {NoneAvailable}.",
            check.Finding);
        Assert.Equal(
            "Enable more VFs on eno49 (Enable-SriovVf -PfName eno49 -Count N -Persist, up to its TotalVfs), or remove interfaces of guests that need not run at once (Remove-VmSriovInterface).",
            check.Remedy);
    }

    [Fact]
    public void The_seeds_third_guest_fails_when_the_first_two_hold_every_vf()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var ports = Eno49Vfs.Select((vf, i) => new NetworkPortXml(i < 4 ? "z-k8s-n-1" : "z-k8s-n-3", $"52:54:00:00:00:{i:x2}", vf)).ToArray();
        var checks = RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)], Guest("z-k8s-n-1", 4, live: 4), Guest("z-k8s-n-3", 3, live: 3), Guest("z-k8s-n-2", 1));
        var check = One(checks, "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(
            "The guests defined on the pool have 8 interfaces on it but it has 7 VFs: they cannot all run at once. No VF is free (7 of 7 in use), " +
            $"and z-k8s-n-2 is defined on it and not running: starting it fails with {NoneAvailable}.",
            check.Finding);
    }

    [Fact]
    public void An_exhausted_pool_fails_when_a_defined_guest_waits_for_it()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        // z-k8s-n-1 took all seven VFs with live-only attaches; z-k8s-n-2 is defined with one interface.
        var ports = Eno49Vfs.Select((vf, i) => new NetworkPortXml("z-k8s-n-1", $"52:54:00:00:01:{i:x2}", vf)).ToArray();
        var check = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)], Guest("z-k8s-n-2", 1)), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(
            $"All 7 VFs are in use (7): the next guest to start on the pool will fail. z-k8s-n-2 is defined on it and not running: starting it fails with {NoneAvailable}.",
            check.Finding);

        var busy = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)]), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Warning, busy.Status);
        Assert.EndsWith($"The next guest to start on it fails with {NoneAvailable}.", busy.Finding);
    }

    [Fact]
    public void A_pool_started_before_the_vf_count_changed_is_stale()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        string[] nine = [.. Eno49Vfs, "0000:04:13.4", "0000:04:14.0"];
        var check = One(RunWith(tree, [PfPool(Pool, "eno49", true, nine)]), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("The running pool lists 9 VFs but eno49 has 7 now. ", check.Finding);
        Assert.StartsWith("Restart it once no guest uses it: virsh net-destroy eno49-sr-iov; virsh net-start eno49-sr-iov", check.Remedy);
    }

    [Fact]
    public void A_pool_not_started_is_a_warning()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(RunWith(tree, [PfPool(Pool, "eno49", false, [])]), "Pool.State", Pool);
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Equal("'eno49-sr-iov' is defined but not started: a guest on it fails to start (\"network 'eno49-sr-iov' is not active\").", check.Finding);
        Assert.Equal("Start it: virsh net-start eno49-sr-iov", check.Remedy);
    }

    [Fact]
    public void A_running_guest_with_more_pending_interfaces_than_free_slots_is_warned()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var ports = Eno49Vfs[..2].Select((vf, i) => new NetworkPortXml("z-k8s-n-1", $"52:54:00:00:00:{i:x2}", vf)).ToArray();
        var checks = RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)], Guest("z-k8s-n-1", defined: 3, live: 2));
        var check = One(checks, "Guest.PciSlots", "z-k8s-n-1");
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Equal(
            "z-k8s-n-1 runs with 1 SR-IOV interface in its definition that is not live, and has 0 free hot-plug PCI slots: " +
            "attaching it live fails with \"No more available PCI slots\".",
            check.Finding);
        Assert.StartsWith("Shut z-k8s-n-1 down and start it again", check.Remedy);

        var spare = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)], Guest("z-k8s-n-1", defined: 3, live: 2, spareRootPorts: 1)), "Guest.PciSlots");
        Assert.Equal(SriovCheckStatus.Pass, spare.Status);
        Assert.Equal("z-k8s-n-1 has 1 free hot-plug PCI slot; 1 interface of its definition can be attached live.", spare.Finding);

        var full = One(RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs, ports)], Guest("z-k8s-n-1", defined: 2, live: 2)), "Guest.PciSlots");
        Assert.Equal("z-k8s-n-1 has 0 free hot-plug PCI slots; a further live attach needs a restart (Add-VmSriovInterface -Config adds it for the next start).", full.Finding);
    }

    [Fact]
    public void Stopped_guests_and_guests_without_sr_iov_are_not_checked_for_slots()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var checks = RunWith(tree, [PfPool(Pool, "eno49", true, Eno49Vfs)], Guest("stopped", 2), Guest("plain", 0, spareRootPorts: 2));
        Assert.DoesNotContain(checks, c => c.Id == "Guest.PciSlots");
    }
}
