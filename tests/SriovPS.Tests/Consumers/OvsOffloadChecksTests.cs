using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SriovPS.Consumers;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Readiness;
using SriovPS.Tests.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Consumers;

/// <summary>
/// The Open vSwitch offload checks on the snapshot of a ConnectX-5 host that is ready (port 0 in switchdev,
/// 8 VFs with representors up, hw-tc-offload on, OVS with hw-offload and the ports in br-sriov), and on
/// copies of it with one thing undone: in its ovs.json, kernel.json or host files.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class OvsOffloadChecksTests : IDisposable
{
    private const string Pf = "enp10s0f0np0";
    private readonly HostTree _directory;

    public OvsOffloadChecksTests()
    {
        _directory = HostTree.SnapshotCopy("connectx5-switchdev", out string snapshot);
        Snapshot = snapshot;
    }

    private string Snapshot { get; }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_ready_host_passes_every_check_but_the_note_on_connection_tracking()
    {
        var checks = Run();

        Assert.All(checks.Where(c => c.Id != OvsOffloadChecks.ConntrackId && c.Target is Pf or "cx5-node"),
            c => Assert.True(c.Status == SriovCheckStatus.Pass, $"{c.Id} on {c.Target}: {c.Status}: {c.Finding}"));
        Assert.Equal(SriovCheckStatus.Warning, Check(checks, OvsOffloadChecks.ConntrackId, "cx5-node").Status);
        Assert.Contains("8 representors", Check(checks, OvsOffloadChecks.HwTcOffloadId, Pf).Finding, StringComparison.Ordinal);
        Assert.Contains("bridge br-sriov", Check(checks, OvsOffloadChecks.BridgeId, Pf).Finding, StringComparison.Ordinal);
        Assert.Contains("tc-policy is \"none\"", Check(checks, OvsOffloadChecks.HwOffloadId, "cx5-node").Finding, StringComparison.Ordinal);
    }

    [Fact]
    public void The_legacy_port_named_fails_switchdev_with_the_command_that_switches_it()
    {
        var checks = RunWith(SavedHwTcOffload(), named: true);

        var switchdev = Check(checks, OvsOffloadChecks.SwitchdevId, "enp10s0f1np1");
        Assert.Equal(SriovCheckStatus.Fail, switchdev.Status);
        Assert.Equal("Set-SriovPf -Name enp10s0f1np1 -EswitchMode Switchdev", switchdev.Remedy);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.RepresentorsId, "enp10s0f1np1").Status);
    }

    [Fact]
    public void Hw_offload_off_fails_with_the_setting_and_the_restart()
    {
        EditOvs(ovs => ovs["otherConfig"] = new Dictionary<string, string> { ["hw-offload"] = "false" });

        var check = Check(Run(), OvsOffloadChecks.HwOffloadId, "cx5-node");

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains("\"false\"", check.Finding, StringComparison.Ordinal);
        Assert.StartsWith("ovs-vsctl set Open_vSwitch . other_config:hw-offload=true; then systemctl restart openvswitch-switch", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tc_policy_of_skip_hw_fails_hw_offload()
    {
        EditOvs(ovs => ovs["otherConfig"] = new Dictionary<string, string> { ["hw-offload"] = "true", ["tc-policy"] = "skip_hw" });

        var check = Check(Run(), OvsOffloadChecks.HwOffloadId, "cx5-node");

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains("skip_hw", check.Finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Ovs_vswitchd_not_running_fails_running_with_the_service_to_start()
    {
        EditOvs(ovs => ovs["vswitchdRunning"] = false);

        var check = Check(Run(), OvsOffloadChecks.RunningId, "cx5-node");

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal("systemctl enable --now openvswitch-switch (openvswitch on Red Hat)", check.Remedy);
    }

    [Fact]
    public void A_database_that_does_not_answer_fails_running_and_leaves_the_bridge_unjudged()
    {
        EditOvs(ovs =>
        {
            ovs["failure"] = "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)";
            ovs["vswitchdRunning"] = false;
            ovs["otherConfig"] = new Dictionary<string, string>();
            ovs["bridges"] = new Dictionary<string, string[]>();
        });

        var checks = Run();

        var running = Check(checks, OvsOffloadChecks.RunningId, "cx5-node");
        Assert.Equal(SriovCheckStatus.Fail, running.Status);
        Assert.Contains("database connection failed", running.Finding, StringComparison.Ordinal);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.HwOffloadId, "cx5-node").Status);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.BridgeId, Pf).Status);
    }

    [Fact]
    public void Open_vSwitch_not_installed_fails_running_with_the_package_to_install()
    {
        var checks = new HostCheckList();
        OvsOffloadChecks.Host(checks, "cx5-node", new OvsFacts { Failure = OvsFacts.NotInstalled });

        var check = Check(checks.Checks, OvsOffloadChecks.RunningId, "cx5-node");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("apt-get install openvswitch-switch", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_outside_the_bridge_fail_with_add_port_lines_for_the_bridge_of_the_others()
    {
        EditOvs(ovs => ovs["bridges"] = new Dictionary<string, string[]>
        {
            ["br-sriov"] = ["enp10s0f0np0", "enp10s0f0npf0vf0", "enp10s0f0npf0vf1", "enp10s0f0npf0vf2", "enp10s0f0npf0vf3", "enp10s0f0npf0vf4", "enp10s0f0npf0vf5"],
            ["br-int"] = ["enp10s0f0npf0vf6"],
        });

        var check = Check(Run(), OvsOffloadChecks.BridgeId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains("not in any bridge: enp10s0f0npf0vf7", check.Finding, StringComparison.Ordinal);
        Assert.Contains("enp10s0f0npf0vf6 (br-int)", check.Finding, StringComparison.Ordinal);
        Assert.Equal(
            "ovs-vsctl del-port br-int enp10s0f0npf0vf6 -- add-port br-sriov enp10s0f0npf0vf6; ovs-vsctl add-port br-sriov enp10s0f0npf0vf7",
            check.Remedy);
    }

    [Fact]
    public void Without_any_bridge_the_remedy_makes_one_for_the_pf_first()
    {
        EditOvs(ovs => ovs["bridges"] = new Dictionary<string, string[]>());

        var check = Check(Run(), OvsOffloadChecks.BridgeId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("ovs-vsctl --may-exist add-br br-enp10s0f0np0; ovs-vsctl add-port br-enp10s0f0np0 enp10s0f0np0; ovs-vsctl add-port br-enp10s0f0np0 enp10s0f0npf0vf0;", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Hw_tc_offload_off_names_the_interfaces_and_a_fixed_one_apart()
    {
        EditHwTcOffload(states =>
        {
            states["enp10s0f0npf0vf3"] = (false, true);
            states[Pf] = (false, true);
        });
        var changeable = Check(Run(), OvsOffloadChecks.HwTcOffloadId, Pf);

        EditHwTcOffload(states => states["enp10s0f0npf0vf5"] = (false, false));
        var fixedOff = Check(Run(), OvsOffloadChecks.HwTcOffloadId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, changeable.Status);
        Assert.Contains("off on enp10s0f0np0, enp10s0f0npf0vf3", changeable.Finding, StringComparison.Ordinal);
        Assert.StartsWith("Set-SriovPf -Name enp10s0f0np0 -HwTcOffload $true", changeable.Remedy, StringComparison.Ordinal);
        Assert.Equal(SriovCheckStatus.Fail, fixedOff.Status);
        Assert.Contains("fixed", fixedOff.Finding, StringComparison.Ordinal);
        Assert.Contains("enp10s0f0npf0vf5", fixedOff.Finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Hw_tc_offload_not_known_for_the_pf_is_not_judged()
    {
        var checks = RunWith(_ => null);

        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.HwTcOffloadId, Pf).Status);
    }

    [Fact]
    public void A_representor_down_fails_with_ip_link_set_up()
    {
        using (var host = new HostSession(HostContext.FromRoot(Snapshot), new CallbackReport()))
        {
            // The tree the snapshot opens into: the representor's flags as they would read with it down.
            File.WriteAllText(host.Files.PathOf("/sys/class/net/enp10s0f0npf0vf2/flags"), "0x1002\n");
        }

        var check = Check(Run(), OvsOffloadChecks.RepresentorsId, Pf);

        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains("enp10s0f0npf0vf2", check.Finding, StringComparison.Ordinal);
        Assert.Equal("ip link set dev enp10s0f0npf0vf2 up", check.Remedy);
    }

    [Fact]
    public void A_pf_in_legacy_mode_has_no_representors_and_says_so()
    {
        EditKernel(kernel => kernel["eswitchModes"]!.AsObject()["0000:0a:00.0"] = "legacy");
        using (var host = new HostSession(HostContext.FromRoot(Snapshot), new CallbackReport()))
        {
            foreach (var vf in Enumerable.Range(0, 8))
            {
                File.Delete(host.Files.PathOf($"/sys/class/net/enp10s0f0npf0vf{vf}/phys_port_name"));
            }
        }

        var checks = Run();

        Assert.Equal(SriovCheckStatus.Fail, Check(checks, OvsOffloadChecks.SwitchdevId, Pf).Status);
        var representors = Check(checks, OvsOffloadChecks.RepresentorsId, Pf);
        Assert.Equal(SriovCheckStatus.Fail, representors.Status);
        Assert.Contains("no representor for any of them", representors.Finding, StringComparison.Ordinal);
        Assert.Contains(OvsOffloadChecks.SwitchdevId, representors.Finding, StringComparison.Ordinal);
        Assert.Equal("Set-SriovPf -Name enp10s0f0np0 -EswitchMode Switchdev", representors.Remedy);
    }

    [Fact]
    public void A_snapshot_without_ovs_json_is_not_judged_for_open_vswitch()
    {
        File.Delete(Path.Combine(Snapshot, "ovs.json"));

        var checks = Run();

        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.RunningId, "cx5-node").Status);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.HwOffloadId, "cx5-node").Status);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks, OvsOffloadChecks.BridgeId, Pf).Status);
        // Devlink was read into the snapshot, so the mode is still known.
        Assert.Equal(SriovCheckStatus.Pass, Check(checks, OvsOffloadChecks.SwitchdevId, Pf).Status);
    }

    [Fact]
    public void On_a_copied_tree_what_only_a_running_host_tells_is_not_judged()
    {
        using var tree = HostTree.FromFixture("connectx5-switchdev");
        using var session = new HostSession(HostContext.FromRoot(tree.Root), new CallbackReport());
        var checks = new HostCheckList();
        OvsOffloadChecks.Host(checks, "host", null);
        foreach (var pf in session.Discovery.GetPfs(includeNotCapable: true, kernelState: true))
        {
            OvsOffloadChecks.Run(checks, session.Files, pf, _ => null, null, kernelRead: false);
        }

        Assert.Equal(SriovCheckStatus.Skipped, Check(checks.Checks, OvsOffloadChecks.SwitchdevId, Pf).Status);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks.Checks, OvsOffloadChecks.HwTcOffloadId, Pf).Status);
        // The representors are in the files: found and up.
        Assert.Equal(SriovCheckStatus.Pass, Check(checks.Checks, OvsOffloadChecks.RepresentorsId, Pf).Status);
        Assert.Equal(SriovCheckStatus.Skipped, Check(checks.Checks, OvsOffloadChecks.BridgeId, Pf).Status);
    }

    [Fact]
    public void A_snapshot_with_ovs_json_is_a_snapshot_and_nothing_else()
    {
        Assert.True(SriovPS.Snapshot.SnapshotStore.IsOwnSnapshot(Snapshot));

        File.WriteAllText(Path.Combine(Snapshot, "ovs-extra.json"), "{}");
        Assert.False(SriovPS.Snapshot.SnapshotStore.IsOwnSnapshot(Snapshot));
    }

    [Fact]
    public void A_damaged_ovs_json_makes_the_snapshot_unreadable()
    {
        File.WriteAllText(Path.Combine(Snapshot, "ovs.json"), "{\"bridges\":");
        using var session = new HostSession(HostContext.FromRoot(Snapshot), new CallbackReport());

        var e = Assert.Throws<SriovException>(() => session.Host.Snapshot!.Ovs());

        Assert.Equal(ErrorCatalog.SnapshotUnreadable, e.Id);
        Assert.Contains("Open vSwitch", e.Message, StringComparison.Ordinal);
    }

    private IReadOnlyList<SriovHostCheck> Run() => RunWith(SavedHwTcOffload());

    private IReadOnlyList<SriovHostCheck> RunWith(Func<string, NetdevFeatureState?> hwTcOffload, bool named = false)
    {
        using var session = new HostSession(HostContext.FromRoot(Snapshot), new CallbackReport());
        var ovs = session.Host.Snapshot!.Ovs();
        var checks = new HostCheckList();
        OvsOffloadChecks.Host(checks, "cx5-node", ovs);
        foreach (var pf in session.Discovery.GetPfs(includeNotCapable: true, kernelState: true))
        {
            OvsOffloadChecks.Run(checks, session.Files, pf, hwTcOffload, ovs, named: named);
        }

        return checks.Checks;
    }

    // kernel.json's {"hwTcOffload": {"<ifname>": {"active": …, "changeable": …}}}, read here as the checks are given it.
    private Func<string, NetdevFeatureState?> SavedHwTcOffload()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Snapshot, "kernel.json")));
        var states = document.RootElement.GetProperty("hwTcOffload").EnumerateObject().ToDictionary(
            p => p.Name, p => new NetdevFeatureState(p.Value.GetProperty("active").GetBoolean(), p.Value.GetProperty("changeable").GetBoolean()), StringComparer.Ordinal);
        return name => states.TryGetValue(name, out var state) ? state : null;
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

    private void EditHwTcOffload(Action<Dictionary<string, (bool Active, bool Changeable)>> edit) => EditKernel(kernel =>
    {
        var states = kernel["hwTcOffload"]!.AsObject().ToDictionary(
            p => p.Key, p => ((bool)p.Value!["active"]!, (bool)p.Value!["changeable"]!), StringComparer.Ordinal);
        edit(states);
        var saved = new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, (active, changeable)) in states)
        {
            saved[name] = new System.Text.Json.Nodes.JsonObject { ["active"] = active, ["changeable"] = changeable };
        }

        kernel["hwTcOffload"] = saved;
    });

    private static SriovHostCheck Check(IEnumerable<SriovHostCheck> checks, string id, string target) =>
        Assert.Single(checks, c => c.Id == id && c.Target == target);
}
