using System.Collections.Generic;
using System.IO;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// A plan made through the facade, as Set-SriovConfiguration makes it, with its verification: on a copied
/// tree only the boot files are the tree's own to write.
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
    public void TheBootFiles_Confirmed_AreWritten_Verified_AndKept()
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
    public void AKernelStepRefusedOnACopiedTree_IsTheOnlyError_NotAlsoAVerificationFailure()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (_, _, plan) = Plan(host, """{"pfs":[{"match":{"name":"eno49"},"numVfs":3}],"boot":{"vfioModules":true}}""");
        var asker = new ScriptedAsker();

        PlanRunner.Run(plan, asker, host.Session);

        // The refusal already says the count was not changed; verifying it again reports it twice.
        Assert.Equal([ErrorCatalog.LiveHostRequired], asker.Told.Failures.ConvertAll(f => f.Id));
    }
}
