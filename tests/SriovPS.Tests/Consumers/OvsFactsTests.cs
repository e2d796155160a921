using System;
using System.IO;
using System.Linq;
using System.Threading;
using SriovPS.Consumers;
using SriovPS.Native.Files;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Consumers;

/// <summary>
/// ovs-vsctl's --format=json --data=json output of "list Open_vSwitch", "list Bridge" and "list Port" read
/// as facts: one JSON table per command, cells in OVSDB's JSON (a set of one is its atom, maps and sets
/// tagged), as ovs-vsctl(8) documents them; and the facts kept in a snapshot's ovs.json.
/// </summary>
public sealed class OvsFactsTests
{
    // A fresh installation: other_config empty, no bridges.
    private const string Empty =
        "{\"data\":[[[\"map\",[]]]],\"headings\":[\"other_config\"]}\n" +
        "{\"data\":[],\"headings\":[\"name\",\"ports\"]}\n" +
        "{\"data\":[],\"headings\":[\"_uuid\",\"name\"]}\n";

    // hw-offload on; br-sriov with the uplink and two representors (a set of three), br-int with its own port only (a set of one).
    private const string Offloading =
        "{\"data\":[[[\"map\",[[\"hw-offload\",\"true\"],[\"system-id\",\"node-7\"],[\"tc-policy\",\"skip_sw\"]]]]],\"headings\":[\"other_config\"]}\n" +
        "{\"data\":[[\"br-int\",[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000001\"]]," +
        "[\"br-sriov\",[\"set\",[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000002\"],[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000003\"],[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000004\"]]]]]," +
        "\"headings\":[\"name\",\"ports\"]}\n" +
        "{\"data\":[[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000001\"],\"br-int\"],[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000002\"],\"enp10s0f0np0\"]," +
        "[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000003\"],\"enp10s0f0npf0vf0\"],[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000004\"],\"enp10s0f0npf0vf1\"]]," +
        "\"headings\":[\"_uuid\",\"name\"]}\n";

    [Fact]
    public void An_empty_database_has_no_settings_and_no_bridges()
    {
        var facts = OvsFacts.Parse(Empty, vswitchdRunning: true);

        Assert.Null(facts.Failure);
        Assert.True(facts.VswitchdRunning);
        Assert.Empty(facts.OtherConfig);
        Assert.Empty(facts.Bridges);
        Assert.Empty(facts.BridgeOfPort);
    }

    [Fact]
    public void Other_config_and_each_ports_bridge_are_read_from_sets_of_one_and_of_many()
    {
        var facts = OvsFacts.Parse(Offloading, vswitchdRunning: false);

        Assert.False(facts.VswitchdRunning);
        Assert.Equal("true", facts.OtherConfig["hw-offload"]);
        Assert.Equal("skip_sw", facts.OtherConfig["tc-policy"]);
        Assert.Equal(["br-int", "br-sriov"], facts.Bridges);
        Assert.Equal("br-int", facts.BridgeOfPort["br-int"]);
        Assert.Equal("br-sriov", facts.BridgeOfPort["enp10s0f0np0"]);
        Assert.Equal("br-sriov", facts.BridgeOfPort["enp10s0f0npf0vf0"]);
        Assert.Equal("br-sriov", facts.BridgeOfPort["enp10s0f0npf0vf1"]);
        Assert.Equal(4, facts.BridgeOfPort.Count);
    }

    [Fact]
    public void Tables_are_read_however_they_are_separated_and_in_any_column_order()
    {
        // --pretty and no newline at all; the Port table's columns the other way round.
        string text = Offloading.Replace("\n", "", StringComparison.Ordinal)
            .Replace("[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000001\"],\"br-int\"]", "[\"br-int\",[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000001\"]]", StringComparison.Ordinal)
            .Replace("\"headings\":[\"_uuid\",\"name\"]", "\"headings\":[\"name\",\"_uuid\"]", StringComparison.Ordinal);
        text = text.Replace("[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000002\"],\"enp10s0f0np0\"]", "[\"enp10s0f0np0\",[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000002\"]]", StringComparison.Ordinal)
            .Replace("[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000003\"],\"enp10s0f0npf0vf0\"]", "[\"enp10s0f0npf0vf0\",[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000003\"]]", StringComparison.Ordinal)
            .Replace("[[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000004\"],\"enp10s0f0npf0vf1\"]", "[\"enp10s0f0npf0vf1\",[\"uuid\",\"5b1e3f1c-0000-4000-8000-000000000004\"]]", StringComparison.Ordinal);

        var facts = OvsFacts.Parse("\n  " + text + "\r\n", vswitchdRunning: true);

        Assert.Equal("br-sriov", facts.BridgeOfPort["enp10s0f0npf0vf1"]);
        Assert.Equal("br-int", facts.BridgeOfPort["br-int"]);
    }

    [Fact]
    public void A_bridge_without_ports_is_listed_with_none()
    {
        var facts = OvsFacts.Parse(
            "{\"data\":[[[\"map\",[[\"hw-offload\",\"false\"]]]]],\"headings\":[\"other_config\"]}\n" +
            "{\"data\":[[\"br-sriov\",[\"set\",[]]]],\"headings\":[\"name\",\"ports\"]}\n" +
            "{\"data\":[],\"headings\":[\"_uuid\",\"name\"]}\n",
            vswitchdRunning: true);

        Assert.Equal(["br-sriov"], facts.Bridges);
        Assert.Empty(facts.BridgeOfPort);
        Assert.Equal("false", facts.OtherConfig["hw-offload"]);
    }

    [Theory]
    [InlineData("ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)")]
    [InlineData("{\"data\":[[\"not a map\"]],\"headings\":[\"other_config\"]}")]
    [InlineData("[1,2]")]
    [InlineData("{\"data\":[[\"br0\",[\"set\",[[\"uuid\",\"x\"]]]]],\"headings\":[\"name\",\"ports\"]}{")]
    public void What_is_not_its_tables_is_a_format_error(string text) =>
        Assert.Throws<FormatException>(() => OvsFacts.Parse(text, vswitchdRunning: true));

    [Fact]
    public void Without_ovs_vsctl_it_is_not_installed()
    {
        using var tree = HostTree.Empty();
        var facts = OvsFacts.Read(new HostFileSystem(tree.Root), CancellationToken.None);

        Assert.True(facts.IsNotInstalled);
        Assert.Equal("ovs-vsctl is not installed (openvswitch-switch)", facts.Failure);
    }

    [Theory]
    [InlineData("/run/openvswitch/ovs-vswitchd.pid", "ovs-vswitchd", true)]
    [InlineData("/var/run/openvswitch/ovs-vswitchd.pid", "ovs-vswitchd", true)]
    // A stale pid file whose number another process has taken since.
    [InlineData("/run/openvswitch/ovs-vswitchd.pid", "sshd", false)]
    public void Ovs_vswitchd_runs_when_its_pid_file_names_a_live_ovs_vswitchd(string pidFile, string comm, bool running)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile(pidFile, "4711\n");
        tree.WriteFile("/proc/4711/comm", comm + "\n");

        Assert.Equal(running, OvsFacts.IsVswitchdRunning(new HostFileSystem(tree.Root)));
    }

    [Fact]
    public void Ovs_vswitchd_does_not_run_without_a_pid_file_or_its_process()
    {
        using var tree = HostTree.Empty();
        Assert.False(OvsFacts.IsVswitchdRunning(new HostFileSystem(tree.Root)));

        tree.WriteFile("/run/openvswitch/ovs-vswitchd.pid", "4711\n");
        Assert.False(OvsFacts.IsVswitchdRunning(new HostFileSystem(tree.Root)));
    }

    [Fact]
    public void A_snapshot_keeps_the_offload_settings_and_the_bridges_and_nothing_else_of_other_config()
    {
        using var tree = HostTree.Empty();
        string path = Path.Combine(tree.Root, SavedOvs.FileName);
        var read = OvsFacts.Parse(Offloading, vswitchdRunning: true);

        SavedOvs.Write(path, read);
        var saved = SavedOvs.Read(path);

        Assert.DoesNotContain("system-id", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(["hw-offload", "tc-policy"], saved.OtherConfig.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(read.Bridges, saved.Bridges);
        Assert.Equal(read.BridgeOfPort.OrderBy(p => p.Key, StringComparer.Ordinal), saved.BridgeOfPort.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(saved.VswitchdRunning);
        Assert.Null(saved.Failure);
    }

    [Fact]
    public void A_snapshot_keeps_why_open_vswitch_did_not_answer()
    {
        using var tree = HostTree.Empty();
        string path = Path.Combine(tree.Root, SavedOvs.FileName);

        SavedOvs.Write(path, new OvsFacts { Failure = "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)" });
        var saved = SavedOvs.Read(path);

        Assert.StartsWith("ovs-vsctl: unix:", saved.Failure, StringComparison.Ordinal);
        Assert.False(saved.VswitchdRunning);
        Assert.Empty(saved.Bridges);
    }

    [Fact]
    public void A_damaged_ovs_json_is_a_format_error()
    {
        using var tree = HostTree.Empty();
        string path = Path.Combine(tree.Root, SavedOvs.FileName);
        File.WriteAllText(path, "{\"bridges\": []}");

        Assert.Throws<FormatException>(() => SavedOvs.Read(path));
    }
}
