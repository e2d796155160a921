using System.IO;
using System.Linq;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.AppArmor;

/// <summary>
/// Libvirt.AppArmorStaleRules: rules on single vfio groups whose group is gone or, for SriovPS's own,
/// holds another device now; and which checks name a remedy Test-SriovHost -Fix makes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AppArmorStaleRuleTests
{
    private const string Abstraction = "/etc/apparmor.d/abstractions/libvirt-qemu";
    private const string Local = "/etc/apparmor.d/local/abstractions/libvirt-qemu";

    private static HostTree Host(string local, bool included = true)
    {
        var tree = HostTree.Empty();
        tree.WriteFile(Abstraction, "  /dev/vfio/vfio rw,\n" + (included ? "  #include <local/abstractions/libvirt-qemu>\n" : ""));
        tree.WriteFile(Local, local);
        Directory.CreateDirectory(tree.PathOf("/sys/kernel/iommu_groups/42/devices/0000:04:10.0"));
        return tree;
    }

    private static SriovHostCheck[] Run(HostTree tree)
    {
        var checks = new HostCheckList();
        LibvirtChecks.AppArmorStaleRules(checks, tree.Files);
        return [.. checks.Checks];
    }

    [Fact]
    public void NoRuleOnASingleGroup_NoResult()
    {
        using var tree = Host("/dev/vfio/* rw,\n/srv/** r,\n");

        Assert.Empty(Run(tree));
    }

    [Fact]
    public void RulesThatFit_Pass()
    {
        using var tree = Host("/dev/vfio/42 rw,  # SriovPS group of 0000:04:10.0: VF 0 of eno49 in pool 'p'\n");

        var check = Assert.Single(Run(tree));

        Assert.Equal((LibvirtChecks.AppArmorStaleId, SriovCheckStatus.Pass), (check.Id, check.Status));
        Assert.Contains("/dev/vfio/42", check.Finding);
    }

    [Fact]
    public void ItsOwnRule_ForAGroupNowHoldingAnotherDevice_WarnsWithRepairVfioAppArmor_WhichFixMakes()
    {
        using var tree = Host("# mine\n/dev/vfio/42 rw,  # SriovPS group of 0000:04:10.4: VF 1 of eno49 in pool 'p'\n");

        var check = Assert.Single(Run(tree));

        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Equal(Local, check.Target);
        Assert.Contains($"({Local} line 2): IOMMU group 42 now holds 0000:04:10.0, not 0000:04:10.4", check.Finding);
        Assert.StartsWith("Repair-VfioAppArmor", check.Remedy);
        Assert.Equal([HostRepair.VfioAppArmor], HostRepairs.Named([check]));
    }

    [Fact]
    public void SomeoneElsesRule_ForAGroupThatIsGone_NamesTheLineToDelete_AndIsNotFixedAutomatically()
    {
        using var tree = Host("/srv/** r,\n  /dev/vfio/96 rw,\n");

        var check = Assert.Single(Run(tree));

        Assert.Contains("IOMMU group 96 no longer exists", check.Finding);
        Assert.Equal($"Delete line 2 of {Local}, then run Repair-VfioAppArmor.", check.Remedy);
        Assert.Empty(HostRepairs.Named([check]));
    }

    [Fact]
    public void ALocalFileTheAbstractionDoesNotInclude_IsNotJudged()
    {
        using var tree = Host("/dev/vfio/96 rw,\n", included: false);

        Assert.Empty(Run(tree));
    }

    [Fact]
    public void OnTheIommuOffFixture_FixNamesTheKernelCommandLineAndTheModules()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cpuinfo", "vendor_id\t: GenuineIntel\n");

        var checks = Tests.Readiness.Readiness.Run(tree);

        Assert.Equal(
            [HostRepair.KernelCommandLine, HostRepair.VfioModules],
            HostRepairs.Named(checks).OrderBy(r => r.Kind));
        Assert.Equal("Enable-SriovIommu, then reboot.", checks.Single(c => c.Id == IommuChecks.EnabledId).Remedy);
    }
}
