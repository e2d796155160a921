using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>Set-SriovVf -Persist: a udev line per VF that sets its MAC through its PF when the VF appears.</summary>
public sealed class UdevVfMacRulesTests
{
    private const string CountLine = "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\"";

    private const string EarlierLine = "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:04:10.0\", RUN+=\"/usr/sbin/ip link set dev eno49 vf 0 mac 32:5e:0f:a0:00:00\"";

    private static readonly UdevVfMacRules.Vf Vf0Key = new("0000:04:00.0", 0, "0000:04:10.0");

    private static readonly UdevVfMacRules.Entry Vf0 = new("/usr/sbin/ip", "0000:04:00.0", 0, "32:5e:0f:a0:00:00");

    private static readonly UdevVfMacRules.Entry Vf1 = new("/usr/sbin/ip", "0000:04:00.0", 1, "32:5e:0f:a0:00:01");

    private static string MacLine(UdevVfMacRules.Entry entry) => UdevVfMacRules.Line(entry);

    private static Dictionary<UdevVfMacRules.Vf, UdevVfMacRules.Entry?> Macs(UdevVfMacRules.Entry? vf0) => new() { [Vf0Key] = vf0 };

    [Fact]
    public void TheLine_RunsIpOnThePfsInterfaceEvent_OnceTheVfExists_NamingThePfByItsIndex()
    {
        Assert.Equal(
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", TEST==\"device/virtfn0\", RUN+=\"/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00\"",
            MacLine(Vf0));
    }

    [Fact]
    public void ANewFile_GetsTheHeaderAndTheLine_WhichIsFoundAgain()
    {
        string text = UdevVfMacRules.With(null, Macs(Vf0))!;

        Assert.StartsWith("# Written by SriovPS", text, StringComparison.Ordinal);
        Assert.Contains("# Set-SriovVf -Persist adds a line per VF that sets its MAC through its PF; -ClearMacAddress -Persist removes it.\n", text, StringComparison.Ordinal);
        Assert.EndsWith(MacLine(Vf0) + "\n", text, StringComparison.Ordinal);
        var found = Assert.Single(UdevVfMacRules.Find(text));
        Assert.Equal(("0000:04:00.0", 0), found.Key);
        Assert.Equal(Vf0, found.Value);
    }

    [Fact]
    public void AVfsEarlierLine_IsReplacedInPlace_OtherLinesKept_AndTheSameTextWritesNothing()
    {
        string text = $"{CountLine}\n{MacLine(Vf0)}\n# mine\n";
        var next = Vf0 with { Mac = "02:00:00:00:00:01" };

        string? updated = UdevVfMacRules.With(text, Macs(next));

        Assert.Equal($"{CountLine}\n{MacLine(next)}\n# mine\n", updated);
        Assert.Equal(updated, UdevVfMacRules.With(updated, Macs(next)));
    }

    [Fact]
    public void ALineOfTheEarlierForm_OnTheVfsPciEvent_IsReplaced_OrRemoved()
    {
        string text = $"{CountLine}\n{EarlierLine}\n# mine\n";

        Assert.Empty(UdevVfMacRules.Find(text));
        Assert.Equal($"{CountLine}\n{MacLine(Vf0)}\n# mine\n", UdevVfMacRules.With(text, Macs(Vf0)));
        Assert.Equal($"{CountLine}\n# mine\n", UdevVfMacRules.With(text, Macs(null)));
        Assert.Equal($"{CountLine}\n{MacLine(Vf0)}\n", UdevVfMacRules.With($"{CountLine}\n{EarlierLine}\n{MacLine(Vf0)}\n", Macs(Vf0)));
    }

    [Fact]
    public void ANewLine_GoesRightAfterItsPfsCountLine_OrItsPfsLastMacLine()
    {
        const string otherPf = "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:05:00.0\", ATTR{device/sriov_numvfs}=\"2\"";
        string text = $"{CountLine}\n{otherPf}\n";

        string withVf1 = UdevVfMacRules.With(text, new Dictionary<UdevVfMacRules.Vf, UdevVfMacRules.Entry?> { [new("0000:04:00.0", 1, "0000:04:10.4")] = Vf1 })!;
        Assert.Equal($"{CountLine}\n{MacLine(Vf1)}\n{otherPf}\n", withVf1);
        Assert.Equal($"{CountLine}\n{MacLine(Vf1)}\n{MacLine(Vf0)}\n{otherPf}\n", UdevVfMacRules.With(withVf1, Macs(Vf0)));
    }

    [Fact]
    public void ALineBeforeItsPfsCountLine_MovesAfterIt_SoTheVfsExistWhenItIsRead()
    {
        string text = $"{MacLine(Vf0)}\n# mine\n{CountLine}\n";

        Assert.Equal($"# mine\n{CountLine}\n{MacLine(Vf0)}\n", UdevVfMacRules.With(text, Macs(Vf0)));
    }

    [Fact]
    public void ACountLineAddedLater_GoesBeforeItsPfsMacLines_AndKeepsOtherLines()
    {
        string text = $"# mine\n{MacLine(Vf0)}\n{MacLine(Vf1)}\n";

        string counted = UdevVfRules.WithCount(text, "0000:04:00.0", 7, driversAutoprobe: null);

        Assert.Equal($"# mine\n{CountLine}\n{MacLine(Vf0)}\n{MacLine(Vf1)}\n", counted);
        Assert.Equal(counted, UdevVfRules.WithCount(counted, "0000:04:00.0", 7, driversAutoprobe: null));
        Assert.Equal($"# mine\n{MacLine(Vf0)}\n{MacLine(Vf1)}\n", UdevVfRules.Without(counted, "0000:04:00.0"));
    }

    [Fact]
    public void AClearedMac_RemovesItsLine_AndTheFileGoesWhenOnlyTheHeaderIsLeft()
    {
        string text = UdevVfMacRules.With(null, Macs(Vf0))!;

        Assert.Null(UdevVfMacRules.With(text, Macs(null)));
        Assert.Equal($"{CountLine}\n", UdevVfMacRules.With($"{CountLine}\n{MacLine(Vf0)}\n", Macs(null)));
    }

    [Fact]
    public void ADriverLine_OfTheSameVf_IsNotAMacLine()
    {
        string driver = UdevVfDriverRules.Line("0000:04:10.0", "vfio-pci");

        Assert.Empty(UdevVfMacRules.Find(driver + "\n"));
        Assert.Equal($"{driver}\n{MacLine(Vf0)}\n", UdevVfMacRules.With(driver + "\n", Macs(Vf0)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Persist_WithOtherSettings_OrWithoutAMac_IsRefusedAsInvalidVfSetting(bool withVlan)
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/usr/sbin/ip", "");
        using var session = new HostSession(HostContext.FromRoot(tree.Root), new ScriptedAsker());
        var request = withVlan ? VfSettingsRequest.Create(macAddress: "auto", vlan: 3) : VfSettingsRequest.Create(trust: true);

        var refusal = Assert.Throws<SriovException>(() => new VfMacPersistence(session, request));

        Assert.Equal(ErrorCatalog.InvalidVfSetting, refusal.Id);
        Assert.StartsWith("-Persist keeps a VF's MAC", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Persist_WhereTheFilesHaveNoIp_IsShownWithUsrSbinIp_AndClearingNeedsNone()
    {
        // A copied tree or a snapshot keeps no programs: only the running host's ip is looked for (IpProgramNotFound there).
        using var tree = HostTree.FromFixture("i350-4port");
        using var session = new HostSession(HostContext.FromRoot(tree.Root), new ScriptedAsker());
        var request = VfSettingsRequest.Create(macAddress: "auto");
        var persistence = new VfMacPersistence(session, request);
        var whatIf = new ScriptedAsker(StepAnswer.WhatIf);
        foreach (var planned in new VfSettingsPlanner(session, request, rebind: false).ForNamed(session.AllPfs().Where(p => p.Name == "eno49").ToList(), [0]))
        {
            persistence.Add(planned, PlanRunner.Run(planned.Plan, whatIf, session));
        }

        Assert.EndsWith(
            "RUN+=\"/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00\"",
            Assert.Single(persistence.Plan()!.Steps).Action,
            StringComparison.Ordinal);
        _ = new VfMacPersistence(session, VfSettingsRequest.Create(clearMacAddress: true));
    }

    [Fact]
    public void Persist_WritesOneStep_ForTheVfsThatReachedTheirMac_ShownUnderWhatIf()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/usr/sbin/ip", "");
        using var session = new HostSession(HostContext.FromRoot(tree.Root), new ScriptedAsker());
        var request = VfSettingsRequest.Create(macAddress: "auto");
        var persistence = new VfMacPersistence(session, request);
        var planner = new VfSettingsPlanner(session, request, rebind: false);
        var whatIf = new ScriptedAsker(StepAnswer.WhatIf);

        foreach (var planned in planner.ForNamed(session.AllPfs().Where(p => p.Name == "eno49").ToList(), [0, 1]))
        {
            persistence.Add(planned, PlanRunner.Run(planned.Plan, whatIf, session));
        }

        var plan = persistence.Plan()!;
        var step = Assert.Single(plan.Steps);
        Assert.Equal(UdevRulesFile.HostPath, step.Target);
        Assert.Equal(
            "keep the MACs of eno49 vf 0, eno49 vf 1 when the VFs are re-created:\n" +
            "+ ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", TEST==\"device/virtfn0\", RUN+=\"/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00\"\n" +
            "+ ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", TEST==\"device/virtfn1\", RUN+=\"/usr/sbin/ip link set dev if$attr{ifindex} vf 1 mac 32:5e:0f:a0:00:01\"",
            step.Action);
        Assert.True(PlanRunner.Run(plan, whatIf, session).WasShown(step));
        Assert.False(tree.Files.Exists(UdevRulesFile.HostPath));
    }
}
