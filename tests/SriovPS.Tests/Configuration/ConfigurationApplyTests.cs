using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// A plan made through the facade, as Set-SriovConfiguration makes it, on copied trees: the tree's own
/// files are written (even after a kernel step the tree cannot take), the kernel's steps are refused once
/// at the end, and nothing is verified, for the tree has no kernel to read back.
/// </summary>
public sealed class ConfigurationApplyTests
{
    private const string Grub = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n";

    /// <summary>The iommu-off host with an Intel CPU and GRUB's defaults, so the IOMMU words can be planned.</summary>
    private static ConfiguredHost IommuOff() => new("iommu-off", tree =>
    {
        tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        tree.WriteFile("/etc/default/grub", Grub);
    });

    private static (SriovConfiguration Configuration, DesiredHost Desired, ChangePlan Plan) Plan(ConfiguredHost host, string json)
    {
        var configuration = new SriovConfiguration(host.Session);
        var problems = new List<SriovException>();
        var desired = configuration.Resolve(json, problems);
        Assert.Empty(problems);
        var refusals = new List<SriovException>();
        var plan = configuration.Plan(desired!, force: false, rollBack: true, refusals);
        Assert.Empty(refusals);
        return (configuration, desired!, plan!);
    }

    [Fact]
    public void TheBootFiles_Confirmed_AreWritten_AndKept_AndTestThenFindsNoDrift()
    {
        using var host = IommuOff();
        var (configuration, desired, plan) = Plan(host, """{"boot":{"iommu":true,"vfioModules":true}}""");
        var asker = new ScriptedAsker();

        var result = PlanRunner.Run(plan, asker, host.Session);

        Assert.Equal(["/etc/default/grub", "/etc/modules-load.d/vfio.conf"], asker.Asked);
        Assert.Equal(2, result.Made.Count);
        Assert.Empty(result.Undone);
        Assert.Empty(asker.Told.Failures);
        Assert.Contains("intel_iommu=on iommu=pt", File.ReadAllText(host.Tree.PathOf("/etc/default/grub")));
        Assert.True(File.Exists(host.Tree.PathOf("/etc/modules-load.d/vfio.conf")));
        Assert.Empty(configuration.Test(desired));
    }

    [Fact]
    public void ASecondRun_MakesNoStep()
    {
        using var host = IommuOff();
        PlanRunner.Run(Plan(host, """{"boot":{"iommu":true,"vfioModules":true}}""").Plan, new ScriptedAsker(), host.Session);
        host.Session.ForgetPfs();

        var (_, _, again) = Plan(host, """{"boot":{"iommu":true,"vfioModules":true}}""");

        Assert.Empty(again.Steps);
    }

    [Fact]
    public void ADeclinedStep_LeavesTheAcceptedOnesMade_AndIsNoFailure()
    {
        using var host = IommuOff();
        var (_, _, plan) = Plan(host, """{"boot":{"iommu":true,"vfioModules":true}}""");
        var asker = new ScriptedAsker(target => target == "/etc/default/grub" ? StepAnswer.No : StepAnswer.Yes);

        var result = PlanRunner.Run(plan, asker, host.Session);

        Assert.Empty(asker.Told.Failures);
        Assert.Empty(result.Undone);
        Assert.True(File.Exists(host.Tree.PathOf("/etc/modules-load.d/vfio.conf")));
        Assert.Equal(Grub, File.ReadAllText(host.Tree.PathOf("/etc/default/grub")));
    }

    [Fact]
    public void ADeclinedStep_AfterAnotherWasMade_IsNoFailure_AndNothingIsTakenBack()
    {
        using var host = IommuOff();
        var (_, _, plan) = Plan(host, """{"boot":{"iommu":true,"vfioModules":true}}""");
        var asker = new ScriptedAsker(target => target == "/etc/modules-load.d/vfio.conf" ? StepAnswer.No : StepAnswer.Yes);

        var result = PlanRunner.Run(plan, asker, host.Session);

        Assert.Equal(["/etc/default/grub"], result.Made.Select(s => s.Target));
        Assert.Equal(["/etc/modules-load.d/vfio.conf"], result.Declined.Select(s => s.Target));
        Assert.Empty(asker.Told.Failures);
        Assert.Contains("intel_iommu=on iommu=pt", File.ReadAllText(host.Tree.PathOf("/etc/default/grub")));
        Assert.False(File.Exists(host.Tree.PathOf("/etc/modules-load.d/vfio.conf")));
    }

    [Fact]
    public void AKernelStep_OnACopiedTree_IsOneLiveHostRequired_AtTheEnd_ListingWhatWasNotMadeAndWhatWasWritten()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (_, _, plan) = Plan(host, """{"pfs":[{"match":{"name":"eno49"},"mtu":9000}],"boot":{"vfioModules":true}}""");
        var asker = new ScriptedAsker();

        var result = PlanRunner.Run(plan, asker, host.Session);

        var error = Assert.Single(asker.Told.Failures);
        Assert.Equal((ErrorCatalog.LiveHostRequired, SriovErrorCategory.InvalidOperation), (error.Id, error.Category));
        Assert.EndsWith(
            "' has no running kernel, so 1 step(s) were not made: 0000:04:00.0 (eno49): ip link set eno49 mtu 9000."
            + " Written in the tree: /etc/modules-load.d/vfio.conf.",
            error.Message);
        Assert.Equal(["/etc/modules-load.d/vfio.conf"], result.Made.Select(s => s.Target));
        Assert.Empty(result.Undone);
        Assert.True(File.Exists(host.Tree.PathOf("/etc/modules-load.d/vfio.conf")));
    }

    [Fact]
    public void ThePfsNetworkFile_FollowingItsRefusedLinkStep_IsWrittenInTheTree()
    {
        using var host = new ConfiguredHost("i350-4port", tree =>
        {
            tree.WriteFile("/usr/lib/systemd/systemd-networkd", string.Empty);
            tree.WriteFile("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", string.Empty);
        });
        const string json = """{"pfs":[{"match":{"name":"eno49"},"linkState":"up","mtu":9000,"persist":true}]}""";
        var (configuration, desired, plan) = Plan(host, json);
        var asker = new ScriptedAsker();

        var result = PlanRunner.Run(plan, asker, host.Session);

        const string File10 = "/etc/systemd/network/10-sriovps-eno49.network";
        Assert.Equal([File10], result.Made.Select(s => s.Target));
        Assert.Contains("MTUBytes=9000", File.ReadAllText(host.Tree.PathOf(File10)));
        var error = Assert.Single(asker.Told.Failures);
        Assert.Equal(ErrorCatalog.LiveHostRequired, error.Id);
        Assert.Contains("so 1 step(s) were not made: 0000:04:00.0 (eno49): ip link set eno49 mtu 9000 up. Written in the tree: " + File10 + ".", error.Message);

        // The file now says what the document asks; the running MTU is the kernel's, which the tree has not got.
        host.Session.ForgetPfs();
        Assert.Equal(["Mtu"], configuration.Test(desired).Select(d => d.Property));
    }

    [Fact]
    public void TheKernelsSteps_RefusedOnACopiedTree_AreOneError_HoweverManyPfsTheyAreOn()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (_, _, plan) = Plan(host, """{"pfs":[{"match":{"driver":"igb"},"mtu":9000,"driversAutoprobe":false}]}""");
        var asker = new ScriptedAsker();

        var result = PlanRunner.Run(plan, asker, host.Session);

        Assert.Empty(result.Made);
        var error = Assert.Single(asker.Told.Failures);
        Assert.Contains("has no running kernel, so 8 step(s) were not made", error.Message);
        Assert.DoesNotContain("Written in the tree", error.Message);
    }

    [Fact]
    public void TheCountsUdevLine_OnACopiedTree_IsTheTreesOwnFile_AndIsWritten()
    {
        // eno49 already has 7 VFs: the only step is the line in the tree's udev rules, which Test reports missing.
        using var host = new ConfiguredHost("i350-4port");
        var (configuration, desired, plan) = Plan(host, """{"pfs":[{"match":{"name":"eno49"},"numVfs":7,"persist":true}]}""");
        Assert.Equal(["PersistedNumVfs"], configuration.Test(desired).Select(d => d.Property));
        var asker = new ScriptedAsker();

        PlanRunner.Run(plan, asker, host.Session);

        Assert.Empty(asker.Told.Failures.Select(f => f.Message));
        Assert.True(File.Exists(host.Tree.PathOf("/etc/udev/rules.d/70-sriovps.rules")));
        Assert.Empty(configuration.Test(desired));
    }
}
