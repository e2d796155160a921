using System.IO;
using System.Linq;
using SriovPS.Boot;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Boot;

/// <summary>
/// Enable-SriovIommu's steps on temporary host roots: /etc/default/grub and /etc/modules-load.d/vfio.conf
/// written atomically with a backup, a second run a no-op, read-only files refused with the original intact.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IommuSetupTests
{
    private const string Grub = "/etc/default/grub";
    private const string Vfio = "/etc/modules-load.d/vfio.conf";
    private const string GrubText = "GRUB_DEFAULT=0\n# keep me\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\"\nGRUB_CMDLINE_LINUX=\"\"\n";

    private static HostTree IntelHost()
    {
        var tree = HostTree.Empty();
        tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        tree.WriteFile("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet");
        tree.WriteFile(Grub, GrubText);
        return tree;
    }

    private static ChangePlan Plan(HostTree tree, bool regenerate = true, params ModuleMaxVfs[] maxVfs) =>
        new HostRepairs(tree.Files, null).Iommu(maxVfs, commandLine: true, modules: true, regenerate);

    private static SriovHostChange[] Apply(HostTree tree, ChangePlan plan) => [.. PlanDriver.Run(plan, tree.Root).Changes];

    [Fact]
    public void FirstRun_WritesBothFiles_KeepsABackupOfGrub_AndSaysARebootIsNeeded()
    {
        using var tree = IntelHost();

        var plan = Plan(tree);
        var changes = Apply(tree, plan);

        Assert.Equal("GRUB_DEFAULT=0\n# keep me\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX=\"\"\n", File.ReadAllText(tree.PathOf(Grub)));
        Assert.Equal(GrubText, File.ReadAllText(tree.PathOf(Grub + ConfigFile.BackupSuffix)));
        Assert.Equal(
            "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.\nvfio\nvfio_iommu_type1\nvfio_pci\n",
            File.ReadAllText(tree.PathOf(Vfio)));
        Assert.False(File.Exists(tree.PathOf(Vfio + ConfigFile.BackupSuffix)));

        var grub = Assert.Single(changes, c => c.Path == Grub);
        Assert.True(grub.Changed && grub.RebootRequired);
        Assert.Equal(Grub + ConfigFile.BackupSuffix, grub.BackupPath);
        Assert.Equal(["GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\""], grub.Before);
        Assert.Equal(["GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""], grub.After);
        Assert.StartsWith("add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT; remove intel_iommu=off", grub.Summary);
        Assert.Contains(plan.Report.Notes, n => n.StartsWith("Dropping intel_iommu=off (GRUB_CMDLINE_LINUX_DEFAULT, line 3: it turns VT-d off)", System.StringComparison.Ordinal));
        Assert.True(Assert.Single(changes, c => c.Path == Vfio).RebootRequired);
    }

    [Fact]
    public void TheActionShown_IsTheExactLinesBeforeAndAfter()
    {
        using var tree = IntelHost();

        var step = Plan(tree).Steps.First(s => s.Target == Grub);

        Assert.EndsWith(
            "\nline 3:\n- GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\"\n+ GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"",
            step.Action);
        Assert.Equal(GrubText, File.ReadAllText(tree.PathOf(Grub)));
        Assert.False(File.Exists(tree.PathOf(Vfio)));
    }

    [Fact]
    public void SecondRun_HasNoStep_AndLeavesBothFilesByteIdentical()
    {
        using var tree = IntelHost();
        Apply(tree, Plan(tree));
        byte[] grub = File.ReadAllBytes(tree.PathOf(Grub));
        byte[] vfio = File.ReadAllBytes(tree.PathOf(Vfio));

        var again = Plan(tree);

        Assert.Empty(again.Steps);
        Assert.Equal(grub, File.ReadAllBytes(tree.PathOf(Grub)));
        Assert.Equal(vfio, File.ReadAllBytes(tree.PathOf(Vfio)));
        Assert.All(again.Unchanged, c => Assert.False(c.Changed));
        // Not yet booted with them: the words are there, the reboot still ahead.
        var grubReport = Assert.Single(again.Unchanged, c => c.Path == Grub);
        Assert.True(grubReport.RebootRequired);
        Assert.Equal("the kernel command line already has intel_iommu=on iommu=pt; the running kernel was booted without them", grubReport.Summary);
    }

    [Fact]
    public void AfterTheReboot_NothingIsRequired()
    {
        using var tree = IntelHost();
        Apply(tree, Plan(tree));
        tree.WriteFile("/proc/cmdline", "BOOT_IMAGE=/vmlinuz ro quiet intel_iommu=on iommu=pt");
        foreach (var module in VfioModulesLoad.Modules)
        {
            Directory.CreateDirectory(tree.PathOf("/sys/module/" + module));
        }

        Assert.All(Plan(tree).Unchanged, c => Assert.False(c.RebootRequired));
    }

    [Fact]
    public void AnExistingVfioConf_KeepsItsLines_AndGetsOnlyWhatIsMissing()
    {
        using var tree = IntelHost();
        tree.WriteFile(Vfio, "# mine\nvfio-pci\nvfio_virqfd");

        Apply(tree, Plan(tree));

        Assert.Equal("# mine\nvfio-pci\nvfio_virqfd\nvfio\nvfio_iommu_type1\n", File.ReadAllText(tree.PathOf(Vfio)));
    }

    [Fact]
    public void AReadOnlyGrubFile_IsRefused_LeftIntact_AndTheModulesStillWritten()
    {
        using var tree = IntelHost();
        File.SetUnixFileMode(tree.PathOf(Grub), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var plan = Plan(tree);

        var asker = new ScriptedAsker();
        var result = PlanDriver.Run(plan, tree.Root, asker);

        var e = SriovAssert.IsError(SriovErrorCategory.WriteError, Assert.Single(asker.Told.Failures));
        Assert.Equal([Grub], result.Failed.Select(s => s.Target));
        Assert.Equal([Vfio], result.Made.Select(s => s.Target));

        Assert.Equal(ErrorCatalog.ConfigFileReadOnly, e.Id);
        Assert.Equal(SriovErrorCategory.WriteError, e.Category);
        Assert.Equal(GrubText, File.ReadAllText(tree.PathOf(Grub)));
        Assert.False(File.Exists(tree.PathOf(Grub + ConfigFile.BackupSuffix)));
        Assert.True(File.Exists(tree.PathOf(Vfio)));
    }

    [Fact]
    public void NoGrubDefaults_IsAProblem_AndTheModulesStillPlanned()
    {
        using var tree = IntelHost();
        tree.Delete(Grub);

        var plan = Plan(tree);

        var problem = Assert.Single(plan.Report.Failures);
        Assert.Equal(ErrorCatalog.GrubDefaultsNotFound, problem.Id);
        Assert.Equal(SriovErrorCategory.ObjectNotFound, problem.Category);
        Assert.Equal(Vfio, Assert.Single(plan.Steps).Target);
    }

    [Fact]
    public void AnUnknownVendor_IsAProblem_AndTheModulesStillPlanned()
    {
        using var tree = IntelHost();
        tree.Delete("/proc/cpuinfo");

        var plan = Plan(tree);

        Assert.Equal(ErrorCatalog.IommuVendorUnknown, Assert.Single(plan.Report.Failures).Id);
        Assert.Equal(Vfio, Assert.Single(plan.Steps).Target);
    }

    [Fact]
    public void TheFirmwareTable_DecidesTheVendor_OverTheCpu()
    {
        using var tree = IntelHost();
        tree.WriteFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\n");
        tree.WriteFile("/sys/firmware/acpi/tables/DMAR", "");

        Apply(tree, Plan(tree));

        Assert.Contains("intel_iommu=on iommu=pt", File.ReadAllText(tree.PathOf(Grub)));
    }

    [Fact]
    public void OnACopiedTree_TheRegeneratorIsNotRun_ButSaid()
    {
        using var tree = IntelHost();
        tree.WriteFile("/usr/sbin/update-grub", "#!/bin/sh\nexit 1\n");

        var plan = Plan(tree);

        Assert.DoesNotContain(plan.Steps, s => s.Action.StartsWith("regenerate", System.StringComparison.Ordinal));
        Assert.Contains($"The GRUB configuration of the copied host tree '{tree.Root}' is not regenerated from its /etc/default/grub here: run /usr/sbin/update-grub on that system.", plan.Report.Warnings);
        Assert.DoesNotContain(Plan(tree, regenerate: false).Report.Warnings, w => w.Contains("regenerated", System.StringComparison.Ordinal));
    }

    [Fact]
    public void AnotherSettingInGrubD_IsWarnedAbout()
    {
        using var tree = IntelHost();
        tree.WriteFile("/etc/default/grub.d/50-cloudimg-settings.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n");
        tree.WriteFile("/etc/default/grub.d/60-extra.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT nomodeset\"\n");

        var warnings = Plan(tree, regenerate: false).Report.Warnings;
        var warning = Assert.Single(warnings, w => w.Contains("sets GRUB_CMDLINE_LINUX_DEFAULT again", System.StringComparison.Ordinal));
        Assert.True(warnings.Count == 1, string.Join(" | ", warnings));

        Assert.StartsWith("/etc/default/grub.d/50-cloudimg-settings.cfg line 1 sets GRUB_CMDLINE_LINUX_DEFAULT again", warning);
    }

    [Fact]
    public void MaxVfs_ForALoadedDriverWithoutTheParameter_IsRefused()
    {
        using var tree = IntelHost();
        tree.WriteFile("/sys/module/ice/parameters/debug", "0");
        tree.WriteFile("/sys/module/igb/parameters/max_vfs", "0");

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => ModuleMaxVfs.Parse("ice=8").CheckParameter(tree.Files));
        ModuleMaxVfs.Parse("igb=7").CheckParameter(tree.Files);
        ModuleMaxVfs.Parse("ixgbe=63").CheckParameter(tree.Files);

        Assert.Equal(ErrorCatalog.InvalidMaxVfs, e.Id);
        Assert.Contains("has no max_vfs parameter", e.Message);
    }
}
