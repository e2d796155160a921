using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SriovPS.Consumers;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Readiness;
using SriovPS.Tests.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Consumers;

/// <summary>
/// What Test-SriovHost -For OvsOffload judges and how: only this PF's representors, an unused port left
/// alone, a bridge remedy that never joins two uplinks, and findings that say why a fact is not known.
/// Run as the command runs them, on a copy of the ConnectX-5 snapshot and on the lab's snapshot.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class OvsOffloadScopeTests : IDisposable
{
    private const string Pf = "enp10s0f0np0";
    private const string SecondPort = "enp10s0f1np1";
    private const string PortDevices = "/sys/devices/pci0000:08/0000:08:02.0";
    private readonly HostTree _directory;

    public OvsOffloadScopeTests()
    {
        _directory = HostTree.SnapshotCopy("connectx5-switchdev", out string snapshot);
        Snapshot = snapshot;
    }

    private string Snapshot { get; }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Only_the_pfs_own_representors_count_not_the_other_ports_nor_another_hosts()
    {
        using var tree = HostTree.FromFixture("connectx5-switchdev");
        // mlx5 gives the second port the same switch id and puts its representors under its own function.
        AddInterface(tree, "0000:0a:00.1", "enp10s0f1npf1vf0", "pf1vf0");
        AddInterface(tree, "0000:0a:00.0", "enp10s0f0nc1pf0vf0", "c1pf0vf0");

        var found = Representors.Of(tree.Files, Pf);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"enp10s0f0npf0vf{i}"), found.Select(r => r.Name));
        Assert.Equal(Enumerable.Range(0, 8), found.Select(r => r.VfIndex));
        Assert.True(Representors.IsRepresentor(tree.Files, "/sys/class/net/enp10s0f1npf1vf0"));
        Assert.True(Representors.IsRepresentor(tree.Files, "/sys/class/net/enp10s0f0nc1pf0vf0"));
        Assert.Equal("0000:0a:00.1", Representors.DeviceOf(tree.Files, "enp10s0f1npf1vf0"));
    }

    [Fact]
    public void An_unused_legacy_port_is_not_judged_unless_named()
    {
        var all = Run();
        var named = Run(SecondPort);

        foreach (var id in new[] { OvsOffloadChecks.SwitchdevId, OvsOffloadChecks.HwTcOffloadId, OvsOffloadChecks.RepresentorsId, OvsOffloadChecks.BridgeId })
        {
            var check = Check(all, id, SecondPort);
            Assert.Equal(SriovCheckStatus.Skipped, check.Status);
            Assert.Contains("has no VFs and is in legacy mode: not set up for offload", check.Finding, StringComparison.Ordinal);
        }

        var switchdev = Check(named, OvsOffloadChecks.SwitchdevId, SecondPort);
        Assert.Equal(SriovCheckStatus.Fail, switchdev.Status);
        Assert.Equal($"Set-SriovPf -Name {SecondPort} -EswitchMode Switchdev", switchdev.Remedy);
    }

    [Fact]
    public void The_bridge_remedy_never_puts_the_pf_beside_another_uplink()
    {
        // The representors are in br-sriov, which already holds the other port's uplink.
        EditOvs(ovs => ovs["bridges"] = new Dictionary<string, string[]>
        {
            ["br-sriov"] = [SecondPort, .. Enumerable.Range(0, 8).Select(i => $"enp10s0f0npf0vf{i}")],
        });

        var check = Check(Run(), OvsOffloadChecks.BridgeId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains($"bridge br-sriov, where representors of {Pf} are, holds the uplink {SecondPort}", check.Finding, StringComparison.Ordinal);
        Assert.Contains("enp10s0f0npf0vf0 (br-sriov)", check.Finding, StringComparison.Ordinal);
        Assert.StartsWith(
            "ovs-vsctl --may-exist add-br br-enp10s0f0np0; ovs-vsctl del-port br-sriov enp10s0f0npf0vf0 -- add-port br-enp10s0f0np0 enp10s0f0npf0vf0;",
            check.Remedy, StringComparison.Ordinal);
        Assert.EndsWith("ovs-vsctl add-port br-enp10s0f0np0 enp10s0f0np0", check.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain($"add-port br-sriov {Pf}", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bridge_of_representors_without_an_uplink_takes_the_pf()
    {
        // A virtual port (an internal or patch port) is no uplink.
        EditOvs(ovs => ovs["bridges"] = new Dictionary<string, string[]>
        {
            ["br-vfs"] = ["patch-int", .. Enumerable.Range(0, 8).Select(i => $"enp10s0f0npf0vf{i}")],
        });

        var check = Check(Run(), OvsOffloadChecks.BridgeId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal($"ovs-vsctl add-port br-vfs {Pf}", check.Remedy);
    }

    [Fact]
    public void Without_an_eswitch_the_representors_are_not_judged_and_no_mode_is_offered()
    {
        EditKernel(kernel => kernel["eswitchModes"]!.AsObject().Remove("0000:0a:00.0"));
        using (var host = new HostSession(HostContext.FromRoot(Snapshot), new CallbackReport()))
        {
            foreach (var vf in Enumerable.Range(0, 8))
            {
                File.Delete(host.Files.PathOf($"/sys/class/net/enp10s0f0npf0vf{vf}/phys_port_name"));
            }
        }

        var checks = Run();

        var switchdev = Check(checks, OvsOffloadChecks.SwitchdevId, Pf);
        Assert.Equal(SriovCheckStatus.Fail, switchdev.Status);
        Assert.Contains("has no eswitch", switchdev.Finding, StringComparison.Ordinal);
        var representors = Check(checks, OvsOffloadChecks.RepresentorsId, Pf);
        Assert.Equal(SriovCheckStatus.Skipped, representors.Status);
        Assert.EndsWith($"has no eswitch ({OvsOffloadChecks.SwitchdevId}).", representors.Finding, StringComparison.Ordinal);
        Assert.Null(representors.Remedy);
    }

    [Fact]
    public void A_representor_fixed_off_in_switchdev_is_the_drivers_with_no_command_to_change_it()
    {
        EditKernel(kernel => kernel["hwTcOffload"]!.AsObject()["enp10s0f0npf0vf5"] = new System.Text.Json.Nodes.JsonObject { ["active"] = false, ["changeable"] = false });

        var check = Check(Run(), OvsOffloadChecks.HwTcOffloadId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.DoesNotContain("switchdev mode first", check.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain("Set-SriovPf", check.Remedy, StringComparison.Ordinal);
        Assert.Contains("no setting changes it", check.Remedy, StringComparison.Ordinal);
        Assert.Contains("newer driver or NIC firmware", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_without_open_vswitch_says_so_and_judges_the_eswitch_from_its_kernel_state()
    {
        var checks = Run(snapshot: Path.Combine(Repository.Root, "tests", "fixtures", "snapshots", "lab-guest"));

        var running = Assert.Single(checks, c => c.Id == OvsOffloadChecks.RunningId);
        Assert.Equal(SriovCheckStatus.Skipped, running.Status);
        Assert.Contains("the snapshot holds no Open vSwitch state", running.Finding, StringComparison.Ordinal);
        Assert.DoesNotContain("copied host tree", running.Finding, StringComparison.Ordinal);
        var switchdev = Check(checks, OvsOffloadChecks.SwitchdevId, "eth0");
        Assert.Equal(SriovCheckStatus.Fail, switchdev.Status);
        Assert.Contains("has no eswitch", switchdev.Finding, StringComparison.Ordinal);
        Assert.DoesNotContain(checks, c => c.Finding.Contains("copied host tree", StringComparison.Ordinal) && !c.Finding.Contains("snapshot", StringComparison.Ordinal));
    }

    [Fact]
    public void The_texts_name_every_path_searched_both_units_and_what_a_reboot_takes_from_other_consumers()
    {
        var notInstalled = new HostCheckList();
        OvsOffloadChecks.Host(notInstalled, "cx5-node", new OvsFacts { Failure = OvsFacts.NotInstalled });
        EditOvs(ovs => ovs["otherConfig"] = new Dictionary<string, string>());

        var checks = Run();

        var running = Check(notInstalled.Checks, OvsOffloadChecks.RunningId, "cx5-node");
        Assert.All(OvsFacts.VsctlPaths, path => Assert.Contains(path, running.Finding, StringComparison.Ordinal));
        Assert.Contains("systemctl restart openvswitch-switch (openvswitch on Red Hat)", Check(checks, OvsOffloadChecks.HwOffloadId, "cx5-node").Remedy, StringComparison.Ordinal);
        var persisted = Check(checks, PfChecks.VfCountPersistedId, Pf);
        Assert.EndsWith("the others are gone.", persisted.Finding, StringComparison.Ordinal);
        Assert.DoesNotContain("guests", persisted.Finding, StringComparison.Ordinal);
    }

    private static void AddInterface(HostTree tree, string function, string name, string portName)
    {
        string directory = $"{PortDevices}/{function}/net/{name}";
        tree.WriteFile($"{directory}/phys_switch_id", "0c42a1fffe7b3e50\n");
        tree.WriteFile($"{directory}/phys_port_name", portName + "\n");
        tree.WriteFile($"{directory}/flags", "0x1003\n");
        File.CreateSymbolicLink(tree.PathOf($"{directory}/device"), $"../../../{function}");
        File.CreateSymbolicLink(tree.PathOf($"/sys/class/net/{name}"), $"../../devices/pci0000:08/0000:08:02.0/{function}/net/{name}");
    }

    /// <summary>Test-SriovHost -For OvsOffload on the snapshot, as the command runs it, narrowed to <paramref name="pfName"/> when given.</summary>
    private List<SriovHostCheck> Run(string? pfName = null, string? snapshot = null)
    {
        using var session = new HostSession(HostContext.FromRoot(snapshot ?? Snapshot), new CallbackReport(), readsPfKernelState: true);
        var run = new HostCheckRun(session, "qemu:///system", SriovConsumer.OvsOffload);
        var selected = pfName is null ? null : session.AllPfs(includeNotCapable: true).Where(p => p.Name == pfName).ToList();
        return run.Run(selected, null);
    }

    private void EditOvs(Action<Dictionary<string, object?>> edit)
    {
        string path = Path.Combine(Snapshot, "ovs.json");
        var ovs = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(path))!;
        edit(ovs);
        File.WriteAllText(path, JsonSerializer.Serialize(ovs));
    }

    private void EditKernel(Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        string path = Path.Combine(Snapshot, "kernel.json");
        var kernel = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(kernel);
        File.WriteAllText(path, kernel.ToJsonString());
    }

    private static SriovHostCheck Check(IEnumerable<SriovHostCheck> checks, string id, string target) =>
        Assert.Single(checks, c => c.Id == id && c.Target == target);
}
