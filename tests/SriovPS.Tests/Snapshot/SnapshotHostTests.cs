using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Plans;
using SriovPS.Readiness;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// The snapshot of a running host read as a host: the lab-igb tree's snapshot given the kernel.json and
/// libvirt/ a live host's snapshot has (eth0 with 7 VFs, VF 0 held by guest-a as a hostdev, VF 1 by
/// guest-b through the pool pool-eth0), so the commands show what the kernel and libvirt said.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class SnapshotHostTests : IDisposable
{
    private const string Pf = "0000:01:00.0";
    private static readonly string[] Vfs = ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6", "0000:01:11.0", "0000:01:11.2", "0000:01:11.4"];
    private static readonly byte[] CarriedMac = [0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc];
    private static readonly byte[] PermanentMac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x01];

    private readonly HostTree _tree = HostTree.FromFixture("lab-igb");
    private readonly HostTree _directory = HostTree.Empty();
    private readonly List<string> _notes = [];
    private readonly List<string> _warnings = [];

    public SnapshotHostTests()
    {
        SnapshotPath = Path.Combine(_directory.Root, "node07-snapshot");
        SnapshotTrees.Save(_tree.Root, SnapshotPath);
        var link = SavedHostBuilder.Link("eth0", 2, CarriedMac, Vfs.Length);
        var kernel = new SavedKernel();
        kernel.Links["eth0"] = new Native.Netlink.LinkInfo
        {
            Index = link.Index, DeviceType = link.DeviceType, Flags = link.Flags, Name = link.Name, Address = link.Address,
            PermanentAddress = PermanentMac, Broadcast = link.Broadcast, Mtu = link.Mtu, OperState = link.OperState,
            NumVfs = link.NumVfs, HasVfList = true, Vfs = link.Vfs,
        };
        kernel.Addresses["eth0"] = ["192.0.2.10/24"];
        kernel.EswitchModes[Pf] = EswitchMode.Switchdev;
        kernel.Holders.Add(new SavedHolder(Pf, new VfHolder(VfHoldKind.VfioDevice, 0, Vfs[0], 4242, "/usr/bin/qemu-system-x86_64 -name guest=guest-a", "/dev/vfio/40")));

        var hostdev = new HeldVf(Vfs[0], "52:54:00:aa:00:01", null);
        var pooled = new HeldVf(Vfs[1], "52:54:00:bb:00:01", "pool-eth0");
        var inventory = LibvirtInventory.FromStates(
            [SavedHostBuilder.Pool("pool-eth0", 1, "eth0", Vfs, [("guest-b", 2, pooled)])],
            [
                SavedHostBuilder.RunningGuest("guest-a", 1, [hostdev]),
                SavedHostBuilder.RunningGuest("guest-b", 2, [pooled]),
                GuestState.FromXml("guest-c", active: false, new LibvirtXml(SavedHostBuilder.Guest("guest-c", 3, [new HeldVf(Vfs[2], "52:54:00:cc:00:01", "pool-eth0")], running: false), null)),
            ],
            ["default"]);
        SavedHostBuilder.AddLiveParts(SnapshotPath, kernel, inventory);
        Session = new HostSession(HostContext.FromRoot(SnapshotPath), new CallbackReport(note: _notes.Add, warn: _warnings.Add, fail: e => throw e));
    }

    private string SnapshotPath { get; }

    private HostSession Session { get; }

    public void Dispose()
    {
        Session.Dispose();
        _directory.Dispose();
        _tree.Dispose();
    }

    [Fact]
    public void The_snapshot_is_read_as_the_snapshot_of_a_running_host()
    {
        Assert.NotNull(Session.Host.Snapshot);
        Assert.NotNull(Session.Host.Snapshot!.Kernel);
        Assert.True(Session.Host.Snapshot.HasLibvirt);
        Assert.True(Session.KernelKnown);
        Assert.Equal("node07", Session.Host.HostName);
    }

    [Fact]
    public void Get_SriovVf_shows_each_VFs_saved_MAC_VLAN_trust_rates_and_counters()
    {
        var pf = Session.AllPfs().Single(p => p.PciAddress == Pf);
        var vfs = Session.Discovery.GetVfs(pf, statistics: true);

        Assert.Equal(Vfs, vfs.Select(v => v.PciAddress));
        foreach (var vf in vfs)
        {
            var saved = SavedHostBuilder.Vf(2, vf.Index);
            Assert.Equal($"52:54:00:02:00:{vf.Index:x2}", vf.MacAddress);
            Assert.Equal((int)saved.Vlan!, vf.Vlan);
            Assert.Equal((int)saved.Qos!, vf.Qos);
            Assert.Equal(saved.Trust, vf.Trust);
            Assert.Equal(saved.SpoofCheck, vf.SpoofCheck);
            Assert.Equal((int)saved.MinTxRate!, vf.MinTxRate);
            Assert.Equal((int)saved.MaxTxRate!, vf.MaxTxRate);
            Assert.Equal(saved.Statistics!.RxBytes, vf.Statistics!.RxBytes);
            Assert.Equal(saved.Statistics.TxDropped, vf.Statistics.TxDropped);
        }

        Assert.Equal(new bool?[] { true, false, false, true, false, false, true }, vfs.Select(v => v.Trust));
        Assert.Equal("vfio-pci", vfs[0].Driver);
    }

    [Fact]
    public void Get_SriovPf_shows_the_saved_eswitch_mode_and_the_MAC_the_kernel_reported()
    {
        var pf = Session.Discovery.GetPfs(kernelState: true).Single(p => p.PciAddress == Pf);

        Assert.Equal(EswitchMode.Switchdev, pf.EswitchMode);
        Assert.Equal("52:54:00:12:34:01", pf.PermanentMacAddress);
        Assert.Equal("02:00:00:aa:bb:cc", pf.MacAddress);
        Assert.Equal(9000, pf.Mtu);
        Assert.Equal(LinkState.Up, pf.LinkState);
        // Without the kernel's state asked, the tree's own files are read.
        Assert.Equal("52:54:00:12:34:01", Session.Discovery.GetPfs().Single(p => p.PciAddress == Pf).MacAddress);
    }

    [Fact]
    public void GuestOwners_names_the_running_guest_that_holds_each_VF_and_no_other()
    {
        var owners = Session.GuestOwners();

        Assert.NotNull(owners);
        Assert.Equal(new Dictionary<string, string> { [Vfs[0]] = "guest-a", [Vfs[1]] = "guest-b" }, owners);
        Assert.True(Session.HostLibvirt()!.IsSaved);
        Assert.Equal(SavedHostBuilder.Uri, Session.HostLibvirt()!.Uri);
    }

    [Fact]
    public void Test_SriovHost_judges_libvirt_and_the_pool_from_the_saved_XML()
    {
        var run = new HostCheckRun(Session, "qemu:///session");
        var checks = run.Run(null, null);

        Assert.True(run.PoolsKnown);
        Assert.Equal(SavedHostBuilder.Uri, run.Uri);
        var reachable = Assert.Single(checks, c => c.Id == LibvirtChecks.ReachableId);
        Assert.Equal(SriovCheckStatus.Pass, reachable.Status);
        Assert.Contains("1 SR-IOV networks, 3 guests", reachable.Finding, StringComparison.Ordinal);
        var pool = Assert.Single(checks, c => c.Id == PoolChecks.PoolStateId);
        Assert.Equal("pool-eth0", pool.Target);
        Assert.NotEqual(SriovCheckStatus.Skipped, pool.Status);
        // Only the checks of files the tree lacks (qemu.conf, AppArmor's abstraction) may be Skipped; none for want of libvirt.
        Assert.All(checks.Where(c => c.Status == SriovCheckStatus.Skipped && c.Id.StartsWith("Libvirt.", StringComparison.Ordinal)),
            c => Assert.Contains(c.Id, new[] { LibvirtChecks.DynamicOwnershipId, LibvirtChecks.AppArmorVfioId }));
        Assert.DoesNotContain(checks, c => c.Status == SriovCheckStatus.Skipped && c.Id.StartsWith("Pool.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plan_runner_refuses_every_accepted_step_on_a_snapshot_and_changes_nothing()
    {
        var made = new List<string>();
        var plan = new ChangePlan();
        var first = plan.Add(new PlanStep("eth0", "set 3 VFs", _ => { made.Add("vfs"); return null; }));
        var second = plan.Add(new PlanStep(Vfs[1], "set VLAN 5", _ => { made.Add("vlan"); return null; }) { After = [first] });
        var third = plan.Add(new PlanStep("/etc/udev/rules.d/70-sriovps.rules", "write the rule", _ => { made.Add("rule"); return null; }) { LiveHostOnly = "the kernel makes VFs" });
        var asker = new ScriptedAsker();

        var result = PlanRunner.Run(plan, asker, Session);

        Assert.Empty(made);
        Assert.Empty(result.Made);
        Assert.Equal([first, second, third], result.Failed);
        var refusal = Assert.Single(asker.Told.Failures);
        Assert.Equal(ErrorCatalog.SnapshotReadOnly, refusal.Id);
        Assert.Contains("3 changes were not made", refusal.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Session.Host.Root, "run/lock/sriovps.lock")), "the change lock was taken in the snapshot");
    }

    [Fact]
    public void WhatIf_on_a_snapshot_shows_the_plan_without_a_refusal()
    {
        var plan = new ChangePlan();
        var step = plan.Add(new PlanStep("eth0", "set 3 VFs", _ => throw new InvalidOperationException("made")));

        var asker = new ScriptedAsker(StepAnswer.WhatIf);
        var result = PlanRunner.Run(plan, asker, Session);

        Assert.True(result.WasShown(step));
        Assert.Empty(asker.Told.Failures);
    }

    [Fact]
    public void The_saved_libvirt_has_no_connection_to_change_it()
    {
        var saved = Session.HostLibvirt()!;
        var e = Assert.Throws<SriovException>(() => saved.Connection);
        Assert.Equal(ErrorCatalog.SnapshotReadOnly, e.Id);
        Assert.Contains(SnapshotPath, e.Message, StringComparison.Ordinal);

        var direct = LibvirtHost.Saved("qemu:///system", saved.ReadInventory(), "/srv/node07.tar.gz");
        Assert.Equal(ErrorCatalog.SnapshotReadOnly, Assert.Throws<SriovException>(() => direct.Connection).Id);
    }

    [Fact]
    public void The_saved_VF_holders_are_what_a_VF_count_change_would_meet()
    {
        var holder = Assert.Single(Session.Host.Snapshot!.Kernel!.Holders);
        Assert.Equal(Pf, holder.PfPciAddress);
        Assert.Equal(4242, holder.Holder.ProcessId);
        Assert.Equal(Vfs[0], holder.Holder.VfPciAddress);
    }
}
