using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using SriovPS.Values;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.VfSettings;

/// <summary>
/// Set-SriovVf -MacAddress Auto as planned: each VF's MAC by <see cref="VfMacRule"/> (the configuration
/// document's "auto"), the same on every run, and refused whole before anything is sent when a PF has no
/// MAC or a MAC would be two VFs'. On copied trees (i350-4port, lab-igb) and on the lab's snapshot.
/// </summary>
public sealed class AutoMacPlannerTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose() => _owned.ForEach(d => d.Dispose());

    private HostSession Session(string root)
    {
        var session = new HostSession(HostContext.FromRoot(root), new ScriptedAsker(), readsPfKernelState: true);
        _owned.Add(session);
        return session;
    }

    private HostTree Tree(string fixture)
    {
        var tree = HostTree.FromFixture(fixture);
        _owned.Add(tree);
        return tree;
    }

    /// <summary>The lab's snapshot, copied so a test may change what its kernel reported.</summary>
    private string LabGuest(Func<string, string>? kernel = null)
    {
        var copy = HostTree.Empty();
        _owned.Add(copy);
        string source = Path.Combine(Repository.Root, "tests", "fixtures", "snapshots", "lab-guest");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy.Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string json = Path.Combine(copy.Root, "kernel.json");
        File.WriteAllText(json, (kernel ?? (text => text))(File.ReadAllText(json)));
        return copy.Root;
    }

    private static List<PlannedVfSettings> PlanAll(HostSession session)
    {
        var planner = new VfSettingsPlanner(session, VfSettingsRequest.Create(macAddress: "Auto"), rebind: false);
        var vfs = session.AllPfs().SelectMany(session.VfsOf).ToList();
        return planner.ForTogether([], vfs).ToList();
    }

    private static string Expected(SriovPf pf, int index) => $"ip link set {pf.Name} vf {index} mac {VfMacRule.For(VfMacRule.SourceOf(pf), index)}";

    [Theory]
    [InlineData("i350-4port")]
    [InlineData("lab-igb")]
    public void EveryVf_GetsTheRulesMac_TheSameOnEveryRun_AllUniqueUnicastAndLocallyAdministered(string fixture)
    {
        var tree = Tree(fixture);
        var session = Session(tree.Root);

        var first = PlanAll(session);
        var second = PlanAll(Session(tree.Root));

        var steps = first.Select(p => Assert.Single(p.Plan.Steps)).ToList();
        var expected = session.AllPfs().SelectMany(pf => Enumerable.Range(0, pf.NumVfs).Select(index => Expected(pf, index))).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, steps.Select(s => s.Action));
        Assert.Equal(expected, second.Select(p => Assert.Single(p.Plan.Steps).Action));
        var macs = steps.Select(s => s.Action.Split(' ')[^1]).ToList();
        Assert.Equal(macs.Count, macs.Distinct().Count());
        Assert.All(macs, mac =>
        {
            var bytes = MacAddress.ParseUnicast(mac);
            Assert.Equal(0x02, bytes[0] & 0x03);
        });
    }

    [Fact]
    public void ACaseOfAuto_IsAuto_AndAsksNoLiteralMac()
    {
        var request = VfSettingsRequest.Create(macAddress: "AUTO");

        Assert.True(request.AutoMacAddress);
        Assert.Null(request.MacAddress);
        Assert.False(request.IsEmpty);
    }

    [Fact]
    public void APfWithoutAMac_RefusesTheWholeCall_BeforeAnyVfIsPlanned()
    {
        var tree = Tree("i350-4port");
        tree.WriteFile("/sys/class/net/eno50/address", "00:00:00:00:00:00\n");
        var session = Session(tree.Root);

        var planned = Assert.Single(PlanAll(session));

        Assert.Empty(planned.Plan.Steps);
        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal(ErrorCatalog.PfMacAddressUnusable, refusal.Id);
        Assert.Equal(SriovErrorCategory.InvalidOperation, refusal.Category);
        Assert.Equal("eno50", refusal.Target);
        Assert.Contains("eno50 has none to start from", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PfsWhoseMacsDeriveTheSameMacs_AreRefused_AsMacAddressInUse()
    {
        var tree = Tree("i350-4port");
        // A MAC set by hand on a port, with no permanent one to start from: eno50 now derives eno49's MACs.
        tree.WriteFile("/sys/class/net/eno50/address", "9c:dc:71:5e:0f:a0\n");
        var session = Session(tree.Root);

        var planned = Assert.Single(PlanAll(session));

        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal(ErrorCatalog.MacAddressInUse, refusal.Id);
        Assert.Equal(SriovErrorCategory.ResourceExists, refusal.Category);
        Assert.Equal("-MacAddress Auto would give 32:5e:0f:a0:00:00 to eno49 vf 0 and to eno50 vf 0: their PFs' MACs (9c:dc:71:5e:0f:a0, 9c:dc:71:5e:0f:a0) derive the same addresses, and two VFs with one MAC break forwarding. Nothing was sent.", refusal.Message);
    }

    [Fact]
    public void OnTheLabSnapshot_EachVfsMacIsPlanned_ShownUnderWhatIf_AndRefusedOtherwise()
    {
        var session = Session(LabGuest());

        var planned = PlanAll(session);

        // eth1 vf 0 and vf 1 are the running guest z-snapshot-1's: left out (OwnedVfs_AreLeftOut…).
        var steps = planned.SelectMany(p => p.Plan.Steps).ToList();
        Assert.Equal(
            ["ip link set eth0 vf 0 mac 06:12:34:01:00:00", "ip link set eth0 vf 1 mac 06:12:34:01:00:01", "ip link set eth0 vf 2 mac 06:12:34:01:00:02",
             "ip link set eth0 vf 3 mac 06:12:34:01:00:03", "ip link set eth1 vf 2 mac 06:12:34:02:00:02"],
            steps.Select(s => s.Action));

        var whatIf = new ScriptedAsker(StepAnswer.WhatIf);
        Assert.True(PlanRunner.Run(planned[0].Plan, whatIf, session).WasShown(steps[0]));
        var refusing = new ScriptedAsker();
        var refused = PlanRunner.Run(planned[1].Plan, refusing, session);
        Assert.Empty(refused.Made);
        Assert.Equal(ErrorCatalog.SnapshotReadOnly, Assert.Single(refusing.Told.Failures).Id);
    }

    [Fact]
    public void AVfThatHasItsMacAlready_IsNoChange_WhereThePresentSettingsAreKnown()
    {
        // A snapshot's plan only describes the request; against the VF's present settings (as on the running kernel) nothing is sent.
        var session = Session(LabGuest(text => text.Replace("02:53:4e:00:00:10", "06:12:34:01:00:00", StringComparison.Ordinal)));
        var pf = session.AllPfs().Single(p => p.Name == "eth0");
        var vf = session.VfsOf(pf).Single(v => v.Index == 0);

        var mac = AutoMacAssignment.For(session, [(pf, 0)])[(pf.PciAddress, 0)];
        var settings = VfSettingsPlan.For(VfSettingsRequest.Create(macAddress: "auto").WithMacAddress(mac), vf);

        Assert.Empty(settings.Changes);
        Assert.Equal(["mac 06:12:34:01:00:00"], settings.Unchanged);
    }

    [Fact]
    public void AMacAnotherVfHasNow_IsRefused_OnAnyPf()
    {
        // eth1 vf 0 carries the MAC the rule gives eth0 vf 0.
        var session = Session(LabGuest(text => text.Replace("52:54:00:2d:a3:64", "06:12:34:01:00:00", StringComparison.Ordinal)));

        var planned = Assert.Single(PlanAll(session));

        var refusal = Assert.Single(planned.Plan.Report.Failures);
        Assert.Equal(ErrorCatalog.MacAddressInUse, refusal.Id);
        Assert.Equal("eth0 vf 0", refusal.Target);
        Assert.Equal("-MacAddress Auto would give eth0 vf 0 the MAC 06:12:34:01:00:00, which eth1 vf 0 has now: two VFs with one MAC break forwarding. Nothing was sent.", refusal.Message);
    }

    [Fact]
    public void VfsARunningGuestHolds_AreLeftOut_WithAWarningEach_WhileALiteralMacStillReachesThem()
    {
        // On the lab's snapshot z-snapshot-1 holds eth1 vf 0 and vf 1, with the MACs libvirt gave them (52:54:00:…).
        var session = Session(LabGuest());
        var eth1 = session.AllPfs().Where(p => p.Name == "eth1").ToList();
        var planner = new VfSettingsPlanner(session, VfSettingsRequest.Create(macAddress: "auto"), rebind: false);

        var planned = planner.ForNamed(eth1, [0, 1, 2]).ToList();

        Assert.Equal(3, planned.Count);
        Assert.Empty(planned[0].Plan.Steps);
        Assert.Equal(["eth1 vf 0 is z-snapshot-1's: its MAC is the guest's (libvirt sets it); left as it is."], planned[0].Plan.Report.Warnings);
        Assert.Null(planned[0].MacAddress);
        Assert.Equal(["eth1 vf 1 is z-snapshot-1's: its MAC is the guest's (libvirt sets it); left as it is."], planned[1].Plan.Report.Warnings);
        Assert.Equal("ip link set eth1 vf 2 mac 06:12:34:02:00:02", Assert.Single(planned[2].Plan.Steps).Action);
        Assert.Empty(planned[2].Plan.Report.Warnings);

        var literal = new VfSettingsPlanner(session, VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10"), rebind: false);
        Assert.Equal("ip link set eth1 vf 0 mac 02:53:52:00:00:10", Assert.Single(Assert.Single(literal.ForNamed(eth1, [0])).Plan.Steps).Action);
    }

    [Fact]
    public void AMacAVfGivesUpInTheSameCall_IsNoClash_SoMacsMaySwap()
    {
        // eth0 vf 0 has the MAC the rule gives vf 1: refused while vf 0 keeps it, planned when vf 0 gets its own.
        var session = Session(LabGuest(text => text.Replace("02:53:4e:00:00:10", "06:12:34:01:00:01", StringComparison.Ordinal)));
        var eth0 = session.AllPfs().Where(p => p.Name == "eth0").ToList();
        VfSettingsPlanner Planner() => new(session, VfSettingsRequest.Create(macAddress: "auto"), rebind: false);

        var kept = Assert.Single(Planner().ForNamed(eth0, [1]));
        Assert.Equal(ErrorCatalog.MacAddressInUse, Assert.Single(kept.Plan.Report.Failures).Id);

        var swapped = Planner().ForNamed(eth0, [0, 1]).ToList();
        Assert.All(swapped, p => Assert.Empty(p.Plan.Report.Failures));
        Assert.Equal(
            ["ip link set eth0 vf 0 mac 06:12:34:01:00:00", "ip link set eth0 vf 1 mac 06:12:34:01:00:01"],
            swapped.Select(p => Assert.Single(p.Plan.Steps).Action));
    }

    [Fact]
    public void ForNamed_RefusesAClash_BeforeTheFirstVf()
    {
        var tree = Tree("i350-4port");
        tree.WriteFile("/sys/class/net/eno50/address", "9c:dc:71:5e:0f:a0\n");
        var session = Session(tree.Root);
        var planner = new VfSettingsPlanner(session, VfSettingsRequest.Create(macAddress: "auto"), rebind: false);
        var pfs = session.AllPfs().Where(p => p.Name is "eno49" or "eno50").ToList();

        var planned = Assert.Single(planner.ForNamed(pfs, [0, 1]));

        Assert.Equal(ErrorCatalog.MacAddressInUse, Assert.Single(planned.Plan.Report.Failures).Id);
    }
}
