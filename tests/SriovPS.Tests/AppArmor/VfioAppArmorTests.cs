using System;
using System.IO;
using System.Linq;
using System.Threading;
using SriovPS.AppArmor;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.AppArmor;

/// <summary>
/// Repair-VfioAppArmor on temporary host roots: rules for the groups asked written into the local
/// abstraction, unrelated rules untouched, the include added only where the release lacks it, stale
/// rules of its own dropped, a second run a no-op, and the result accepted by the real apparmor_parser.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VfioAppArmorTests
{
    private const string Abstraction = "/etc/apparmor.d/abstractions/libvirt-qemu";
    private const string Local = "/etc/apparmor.d/local/abstractions/libvirt-qemu";
    private const string AbstractionText =
        "  #include <abstractions/base>\n\n  # for vfio hotplug on systems without static vfio (LP: #1775777)\n  /dev/vfio/vfio rw,\n\n" +
        "  # Site-specific additions and overrides. See local/README for details.\n  #include <local/abstractions/libvirt-qemu>\n";
    private const string UnrelatedLocal = "# mine\n/srv/isos/** r,\n  /dev/hugepages/** rw,\n";

    private static HostTree Host(string abstraction = AbstractionText)
    {
        var tree = HostTree.Empty();
        tree.WriteFile(Abstraction, abstraction);
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y");
        Group(tree, 42, "0000:04:10.0");
        Group(tree, 43, "0000:04:10.4");
        return tree;
    }

    private static void Group(HostTree tree, int group, params string[] devices)
    {
        Directory.CreateDirectory(tree.PathOf($"/sys/kernel/iommu_groups/{group}/devices"));
        foreach (var device in devices)
        {
            Directory.CreateDirectory(tree.PathOf($"/sys/kernel/iommu_groups/{group}/devices/{device}"));
        }
    }

    private static VfioGroupNeed Need(int group, string device) => new(group, device, $"VF 0 of eno49, {device}, in pool 'eno49-sr-iov'");

    private static ChangePlan Plan(HostTree tree, bool allGroups = false, params VfioGroupNeed[] needs) =>
        new HostRepairs(tree.Files, null).VfioAppArmor(needs, allGroups);

    private static SriovHostChange[] Apply(HostTree tree, ChangePlan plan) => [.. PlanDriver.Run(plan, tree.Root).Changes];

    [Fact]
    public void NoLocalFile_IsCreated_WithOneRulePerGroup_NamingTheDevice()
    {
        using var tree = Host();

        var changes = Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0"), Need(43, "0000:04:10.4")));

        Assert.Equal(
            "# Site-specific additions for libvirt-qemu (QEMU processes started by libvirt).\n" +
            "/dev/vfio/42 rw,  # SriovPS group of 0000:04:10.0: VF 0 of eno49 in pool 'eno49-sr-iov'\n" +
            "/dev/vfio/43 rw,  # SriovPS group of 0000:04:10.4: VF 0 of eno49 in pool 'eno49-sr-iov'\n",
            File.ReadAllText(tree.PathOf(Local)));
        Assert.Equal(AbstractionText, File.ReadAllText(tree.PathOf(Abstraction)));
        var change = Assert.Single(changes);
        Assert.Equal((Local, true, "allow QEMU to open /dev/vfio/42 and /dev/vfio/43", false), (change.Path, change.Changed, change.Summary, change.RebootRequired));
        Assert.Null(change.BackupPath);
    }

    [Fact]
    public void UnrelatedRules_AreKeptByteForByte_AndTheFileBackedUp()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal);

        Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0")));

        Assert.Equal(UnrelatedLocal + "/dev/vfio/42 rw,  # SriovPS group of 0000:04:10.0: VF 0 of eno49 in pool 'eno49-sr-iov'\n", File.ReadAllText(tree.PathOf(Local)));
        Assert.Equal(UnrelatedLocal, File.ReadAllText(tree.PathOf(Local + ConfigFile.BackupSuffix)));
    }

    [Fact]
    public void SecondRun_HasNoStep_AndLeavesTheFileByteIdentical()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal);
        Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0")));
        byte[] written = File.ReadAllBytes(tree.PathOf(Local));

        var again = Plan(tree, false, Need(42, "0000:04:10.0"));

        Assert.Empty(again.Steps);
        Assert.Equal(written, File.ReadAllBytes(tree.PathOf(Local)));
        var report = Assert.Single(again.Unchanged);
        Assert.Equal((false, "every vfio group asked for is already allowed"), (report.Changed, report.Summary));
        Assert.Contains(again.Report.Notes, n => n.StartsWith("/dev/vfio/42 (VF 0 of eno49, 0000:04:10.0, in pool 'eno49-sr-iov') is already allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void AGroupAnotherRuleAllows_GetsNoRule()
    {
        using var tree = Host();
        tree.WriteFile(Local, "/dev/vfio/[0-9]* rw,\n");

        var plan = Plan(tree, false, Need(42, "0000:04:10.0"));

        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void AllGroups_WritesTheBroadRule_AndDropsTheSingleGroupRulesItCovers()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal);
        Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0")));

        var plan = Plan(tree, allGroups: true);
        Apply(tree, plan);

        Assert.Equal(UnrelatedLocal + VfioGroupRules.AllGroupsRule + "\n", File.ReadAllText(tree.PathOf(Local)));
        Assert.DoesNotContain(plan.Report.Warnings, w => w.Contains("group numbers can change", StringComparison.Ordinal));
        Assert.Empty(Plan(tree, allGroups: true).Steps);
    }

    [Fact]
    public void ARuleOfItsOwn_ForAGroupThatNowHoldsAnotherDevice_IsDropped()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal + "/dev/vfio/43 rw,  # SriovPS group of 0000:04:11.4: VF 3 of eno49 in pool 'p'\n/dev/vfio/77 rw,  # SriovPS group of 0000:04:11.0: gone\n/dev/vfio/99 rw,\n");

        var plan = Plan(tree, false, Need(42, "0000:04:10.0"));
        Apply(tree, plan);

        Assert.Equal(
            UnrelatedLocal + "/dev/vfio/99 rw,\n/dev/vfio/42 rw,  # SriovPS group of 0000:04:10.0: VF 0 of eno49 in pool 'eno49-sr-iov'\n",
            File.ReadAllText(tree.PathOf(Local)));
        Assert.Contains(plan.Report.Notes, n => n.Contains("IOMMU group 43 now holds 0000:04:10.4, not 0000:04:11.4", StringComparison.Ordinal));
        Assert.Contains(plan.Report.Notes, n => n.Contains("IOMMU group 77 no longer exists", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, "  include if exists <local/abstractions/libvirt-qemu>\n")]
    [InlineData(false, "  #include <local/abstractions/libvirt-qemu>\n")]
    public void AnAbstractionWithoutTheInclude_GetsIt_InTheSyntaxItsReleaseKnows(bool appArmor3, string include)
    {
        const string bionic = "  #include <abstractions/base>\n  /dev/vfio/vfio rw,\n";
        using var tree = Host(bionic);
        tree.WriteFile("/etc/apparmor.d/abstractions/base", appArmor3 ? "  include if exists <abstractions/base.d>\n" : "  /etc/ld.so.cache r,\n");

        var changes = Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0")));

        Assert.Equal(bionic + "\n  # Site-specific additions and overrides (added by Repair-VfioAppArmor).\n" + include, File.ReadAllText(tree.PathOf(Abstraction)));
        Assert.Equal([Local, Abstraction], changes.Select(c => c.Path));
        Assert.Equal(bionic, File.ReadAllText(tree.PathOf(Abstraction + ConfigFile.BackupSuffix)));
    }

    [Fact]
    public void TheIncludeAdded_AlwaysFindsTheLocalFile_AndIsAskedOnlyOnceItExists()
    {
        const string bionic = "  /dev/vfio/vfio rw,\n";
        using var tree = Host(bionic);

        var plan = Plan(tree);
        Assert.Equal([Local, Abstraction], plan.Steps.Select(s => s.Target));
        Assert.Same(plan.Steps[0], Assert.Single(plan.Steps[1].After));
        var declined = new ScriptedAsker(target => target == Local ? StepAnswer.No : StepAnswer.Yes);
        PlanDriver.Run(plan, tree.Root, declined);
        Assert.Equal([Local], declined.Asked);
        Assert.False(File.Exists(tree.PathOf(Local)));
        Assert.Equal(bionic, File.ReadAllText(tree.PathOf(Abstraction)));

        Apply(tree, plan);

        Assert.Equal("# Site-specific additions for libvirt-qemu (QEMU processes started by libvirt).\n", File.ReadAllText(tree.PathOf(Local)));
        Assert.Contains("#include <local/abstractions/libvirt-qemu>", File.ReadAllText(tree.PathOf(Abstraction)));
    }

    [Fact]
    public void AGroupADenyRuleCovers_GetsNoRule_ButANote()
    {
        using var tree = Host();
        tree.WriteFile(Local, "deny /dev/vfio/4* w,\n");

        var plan = Plan(tree, false, Need(42, "0000:04:10.0"));

        Assert.Empty(plan.Steps);
        Assert.Contains(plan.Report.Notes, n => n.StartsWith("/dev/vfio/42 (VF 0 of eno49, 0000:04:10.0, in pool 'eno49-sr-iov') is denied by 'deny /dev/vfio/4* w,'", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileChangedAfterThePlan_IsLeftAsItIsNow()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal);
        var step = Assert.Single(Plan(tree, false, Need(42, "0000:04:10.0")).Steps);
        tree.WriteFile(Local, UnrelatedLocal + "/srv/more r,\n");

        var e = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => step.Apply(PlanDriver.Context()));

        Assert.Equal(ErrorCatalog.HostChangeInProgress, e.Id);
        Assert.Equal(UnrelatedLocal + "/srv/more r,\n", File.ReadAllText(tree.PathOf(Local)));
    }

    [Fact]
    public void AReadOnlyLocalFile_IsRefused_AndLeftIntact()
    {
        using var tree = Host();
        tree.WriteFile(Local, UnrelatedLocal);
        File.SetUnixFileMode(tree.PathOf(Local), UnixFileMode.UserRead | UnixFileMode.GroupRead);

        var step = Assert.Single(Plan(tree, false, Need(42, "0000:04:10.0")).Steps);
        var e = SriovAssert.Throws(SriovErrorCategory.WriteError, () => step.Apply(PlanDriver.Context()));

        Assert.Equal(ErrorCatalog.ConfigFileReadOnly, e.Id);
        Assert.Equal(UnrelatedLocal, File.ReadAllText(tree.PathOf(Local)));
    }

    [Fact]
    public void AppArmorNotEnabled_IsSaid_AndTheRulesStillPlanned()
    {
        using var tree = Host();
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "N");

        var plan = Plan(tree, false, Need(42, "0000:04:10.0"));

        Assert.Contains(plan.Report.Warnings, w => w.StartsWith("AppArmor is not in use for QEMU here: AppArmor is not enabled in this kernel", StringComparison.Ordinal));
        Assert.Single(plan.Steps);
    }

    [Fact]
    public void LibvirtWithoutAppArmor_IsSaid()
    {
        using var tree = Host();
        tree.WriteFile("/etc/libvirt/qemu.conf", "security_driver = \"none\"\n");

        Assert.Contains(Plan(tree, false, Need(42, "0000:04:10.0")).Report.Warnings, w => w.Contains("libvirt does not confine QEMU with AppArmor", StringComparison.Ordinal));
    }

    [Fact]
    public void NoAbstraction_NothingToRepair()
    {
        using var tree = Host();
        tree.Delete(Abstraction);

        var plan = Plan(tree, false, Need(42, "0000:04:10.0"));

        Assert.Empty(plan.Steps);
        Assert.StartsWith("Nothing to repair: there is no /etc/apparmor.d/abstractions/libvirt-qemu", Assert.Single(plan.Report.Warnings));
    }

    [Fact]
    public void GroupRulesWritten_WarnThatGroupNumbersChange()
    {
        using var tree = Host();

        Assert.Contains(Plan(tree, false, Need(42, "0000:04:10.0")).Report.Warnings, w => w.StartsWith("IOMMU group numbers can change when VFs are created again", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void TheFilesWritten_AreAcceptedByApparmorParser()
    {
        Skip.IfNot(File.Exists("/usr/sbin/apparmor_parser"), "apparmor_parser is not installed (Debian package apparmor).");
        Skip.IfNot(File.Exists(Abstraction), "libvirt's AppArmor abstraction is not installed (libvirt-daemon-system).");
        using var tree = Host(File.ReadAllText(Abstraction));
        tree.WriteFile(Local, UnrelatedLocal);
        tree.WriteFile("/profile", "#include <tunables/global>\nprofile sriovps-test /usr/bin/qemu-system-x86_64 {\n  #include <abstractions/libvirt-qemu>\n}\n");

        // The tree's files first, then this machine's for the abstractions they include.
        void Parses()
        {
            var (exitCode, said) = HostProgram.Run(
                "/usr/sbin/apparmor_parser",
                ["--skip-kernel-load", "--skip-cache", "-I", tree.PathOf("/etc/apparmor.d"), "-I", "/etc/apparmor.d", tree.PathOf("/profile")],
                CancellationToken.None);
            Assert.True(exitCode == 0, said + "\n" + File.ReadAllText(tree.PathOf(Local)));
        }

        Apply(tree, Plan(tree, false, Need(42, "0000:04:10.0"), Need(43, "0000:04:10.4")));
        Assert.Contains("/dev/vfio/43 rw,  # SriovPS group of 0000:04:10.4", File.ReadAllText(tree.PathOf(Local)));
        Parses();
        Apply(tree, Plan(tree, allGroups: true));
        Assert.Contains("/dev/vfio/* rw,", File.ReadAllText(tree.PathOf(Local)));
        Parses();
    }
}
