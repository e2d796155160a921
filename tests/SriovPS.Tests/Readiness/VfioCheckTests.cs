using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>Vfio.Loaded (from /sys/module) and Vfio.LoadAtBoot (modules-load.d, /etc/modules, built in).</summary>
public sealed class VfioCheckTests
{
    [Fact]
    public void Loaded_modules_are_judged_only_where_sys_module_exists()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        Assert.Equal(SriovCheckStatus.Skipped, One(Run(tree), "Vfio.Loaded").Status);

        tree.WriteFile("/sys/module/vfio/refcnt", "3\n");
        var missing = One(Run(tree), "Vfio.Loaded");
        Assert.Equal(SriovCheckStatus.Warning, missing.Status);
        Assert.StartsWith("vfio_iommu_type1 and vfio_pci are not loaded (not in /sys/module)", missing.Finding);
        Assert.Equal("modprobe vfio-pci (Set-SriovVfDriver -Driver vfio-pci loads it too, as it binds VFs)", missing.Remedy);

        tree.WriteFile("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
        tree.WriteFile("/sys/module/vfio_pci/parameters/ids", "\n");
        var loaded = One(Run(tree), "Vfio.Loaded");
        Assert.Equal(SriovCheckStatus.Pass, loaded.Status);
        Assert.Equal("vfio, vfio_iommu_type1 and vfio_pci are loaded (/sys/module).", loaded.Finding);
    }

    [Fact]
    public void Nothing_loading_vfio_pci_at_boot_is_a_warning_naming_enable_sriov_iommu()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/modules-load.d/modules.conf", "# /etc/modules is obsolete\nloop\n");
        var check = One(Run(tree), "Vfio.LoadAtBoot");
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.StartsWith("Nothing loads vfio_pci at boot", check.Finding);
        Assert.Equal("Enable-SriovIommu -VfioOnly (writes /etc/modules-load.d/vfio.conf).", check.Remedy);

        tree.WriteFile("/etc/modules-load.d/iommu.conf", "vfio\n");
        Assert.Contains("; vfio is listed, which does not bind VFs)", One(Run(tree), "Vfio.LoadAtBoot").Finding);
    }

    [Fact]
    public void The_seeds_vfio_conf_passes()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/modules-load.d/vfio.conf", "vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd\n");
        var check = One(Run(tree), "Vfio.LoadAtBoot");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("vfio_pci is loaded at boot by /etc/modules-load.d/vfio.conf line 3 (vfio and vfio_iommu_type1 too).", check.Finding);
    }

    [Fact]
    public void Dashes_etc_modules_and_later_directories_count()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/modules", "# modules at boot\n\nvfio-pci ids=8086:1520\n");
        Assert.Equal("vfio_pci is loaded at boot by /etc/modules line 3 (it brings vfio and vfio_iommu_type1 with it).", One(Run(tree), "Vfio.LoadAtBoot").Finding);

        tree.Delete("/etc/modules");
        tree.WriteFile("/usr/lib/modules-load.d/vfio.conf", "vfio_pci\n");
        Assert.Equal(SriovCheckStatus.Pass, One(Run(tree), "Vfio.LoadAtBoot").Status);

        // A file of the same name in /etc hides the one in /usr/lib.
        tree.WriteFile("/etc/modules-load.d/vfio.conf", "# disabled\n");
        Assert.Equal(SriovCheckStatus.Warning, One(Run(tree), "Vfio.LoadAtBoot").Status);
    }

    [Theory]
    [InlineData("/proc/cmdline", "ro intel_iommu=on modules-load=vfio-pci\n", "the kernel command line (modules-load=)")]
    [InlineData("/proc/cmdline", "ro rd.driver.pre=vfio_pci\n", "the kernel command line (rd.driver.pre=)")]
    [InlineData("/etc/initramfs-tools/modules", "# initramfs\nvfio_pci ids=8086:1520\n", "/etc/initramfs-tools/modules line 2 (the initramfs)")]
    [InlineData("/etc/dracut.conf.d/vfio.conf", "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"\n", "/etc/dracut.conf.d/vfio.conf line 1 (the initramfs)")]
    [InlineData("/etc/udev/rules.d/70-sriovps.rules",
        "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:04:10.0\", ATTR{driver_override}=\"vfio-pci\", ATTR{subsystem/drivers_probe}=\"0000:04:10.0\", RUN{builtin}+=\"kmod load vfio-pci\"\n",
        "/etc/udev/rules.d/70-sriovps.rules line 1 (a udev rule, as VFs appear)")]
    public void Other_ways_of_loading_vfio_pci_at_boot_count(string path, string text, string where)
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile(path, text);
        var check = One(Run(tree), "Vfio.LoadAtBoot");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal($"vfio_pci is loaded at boot by {where} (it brings vfio and vfio_iommu_type1 with it).", check.Finding);
    }

    [Fact]
    public void A_kernel_with_vfio_pci_built_in_needs_nothing()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/proc/sys/kernel/osrelease", "6.1.0-test\n");
        tree.WriteFile("/lib/modules/6.1.0-test/modules.builtin", "kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/pci/vfio-pci.ko\n");
        var check = One(Run(tree), "Vfio.LoadAtBoot");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.StartsWith("vfio_pci is built into the running kernel", check.Finding);
    }
}
