using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>Iommu.Enabled, Iommu.Passthrough and Iommu.InterruptRemapping on fixture hosts, each reaching every status.</summary>
public sealed class IommuCheckTests
{
    private const string Off = "The IOMMU is off: /sys/kernel/iommu_groups is empty and /sys/class/iommu lists no IOMMU";

    [Fact]
    public void The_seeds_host_with_iommu_groups_passes()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(Run(tree), "Iommu.Enabled");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.StartsWith("The IOMMU is on: dmar0, dmar1 in /sys/class/iommu, ", check.Finding);
        Assert.EndsWith(" IOMMU groups in /sys/kernel/iommu_groups.", check.Finding);
        Assert.Null(check.Remedy);
    }

    [Fact]
    public void A_host_booted_without_intel_iommu_fails_and_names_the_remedy()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        var checks = Run(tree);
        var check = One(checks, "Iommu.Enabled");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(Off + "; the kernel command line lacks intel_iommu=on, without which Intel VT-d stays off; no VF can be given to a guest.", check.Finding);
        Assert.Equal("Enable-SriovIommu, then reboot.", check.Remedy);
        Assert.Equal(SriovCheckStatus.Skipped, One(checks, "Iommu.Passthrough").Status);
        Assert.Equal(SriovCheckStatus.Skipped, One(checks, "Iommu.InterruptRemapping").Status);
        Assert.Equal(SriovCheckStatus.Fail, checks[0].Status);
    }

    [Fact]
    public void An_intel_cpu_is_named_as_the_evidence()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        Assert.Equal(
            Off + "; the CPU is an Intel one, and the kernel command line lacks intel_iommu=on, without which Intel VT-d stays off; no VF can be given to a guest.",
            One(Run(tree), "Iommu.Enabled").Finding);
    }

    [Theory]
    [InlineData("ro intel_iommu=off", "intel_iommu=off")]
    [InlineData("ro intel_iommu=on intel_iommu=off", "intel_iommu=off")]
    [InlineData("ro amd_iommu=off", "amd_iommu=off")]
    [InlineData("ro iommu=off", "iommu=off")]
    public void A_contrary_word_on_the_command_line_is_named(string commandLine, string word)
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cmdline", commandLine + "\n");
        var check = One(Run(tree), "Iommu.Enabled");
        Assert.Equal($"{Off}, and the kernel command line turns it off ({word}); no VF can be given to a guest.", check.Finding);
        Assert.Equal("Enable-SriovIommu, then reboot.", check.Remedy);
    }

    [Fact]
    public void On_amd_nothing_is_missing_from_the_command_line_so_the_firmware_is_named()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\n");
        var check = One(Run(tree), "Iommu.Enabled");
        Assert.Equal(
            Off + ", although the CPU is an AMD one and nothing on the kernel command line turns it off (on AMD it is on by default; " +
            "amd_iommu=on is not a valid option): the IOMMU is disabled in the firmware.",
            check.Finding);
        Assert.Equal("Enable the IOMMU (AMD-Vi) in the firmware setup, then reboot.", check.Remedy);
    }

    [Fact]
    public void Intel_iommu_on_without_groups_points_at_the_firmware()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cmdline", "ro intel_iommu=on,sm_on\n");
        tree.WriteFile("/sys/firmware/acpi/tables/DMAR", "");
        var check = One(Run(tree), "Iommu.Enabled");
        Assert.Equal(Off + ", although the kernel command line has intel_iommu=on: the kernel did not take the firmware's DMAR table (see the DMAR lines of dmesg).", check.Finding);
        Assert.StartsWith("Enable VT-d", check.Remedy);

        tree.Delete("/sys/firmware/acpi/tables/DMAR");
        Assert.EndsWith("intel_iommu=on: VT-d is disabled in the firmware, which offers no DMAR table.", One(Run(tree), "Iommu.Enabled").Finding);
    }

    [Fact]
    public void Groups_without_an_iommu_are_vfios_no_iommu_mode_and_fail()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete("/sys/class/iommu");
        var check = One(Run(tree), "Iommu.Enabled");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("There is no IOMMU (/sys/class/iommu lists none), yet ", check.Finding);
        Assert.Contains("no-IOMMU mode (enable_unsafe_noiommu_mode)", check.Finding);
    }

    [Fact]
    public void Intel_iommu_off_is_not_blamed_on_an_amd_host()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.WriteFile("/proc/cmdline", "ro intel_iommu=off\n");
        tree.WriteFile("/sys/firmware/acpi/tables/IVRS", "");
        Assert.EndsWith("the IOMMU is disabled in the firmware.", One(Run(tree), "Iommu.Enabled").Finding);
    }

    [Fact]
    public void An_unreadable_command_line_is_said()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        tree.Delete("/proc/cmdline");
        Assert.Contains("the kernel command line (/proc/cmdline) could not be read", One(Run(tree), "Iommu.Enabled").Finding);
    }

    [Fact]
    public void Passthrough_passes_on_the_command_line_and_on_identity_groups()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var onCommandLine = One(Run(tree), "Iommu.Passthrough");
        Assert.Equal(SriovCheckStatus.Pass, onCommandLine.Status);
        Assert.Equal("Host devices bypass IOMMU translation: iommu=pt is on the kernel command line.", onCommandLine.Finding);
        Assert.Null(onCommandLine.Remedy);

        tree.WriteFile("/sys/kernel/iommu_groups/0/type", "identity\n");
        var check = One(Run(tree), "Iommu.Passthrough");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("Host devices bypass IOMMU translation: IOMMU group 0 is of type identity (iommu=pt is on the kernel command line).", check.Finding);
    }

    [Fact]
    public void Translated_dma_is_a_warning_judged_from_the_groups_first()
    {
        using var tree = HostTree.FromFixture("x540-2port");
        var check = One(Run(tree), "Iommu.Passthrough");
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Contains("(the kernel command line lacks iommu=pt)", check.Finding);
        Assert.Contains("a performance choice", check.Finding);
        Assert.Equal("Enable-SriovIommu (adds iommu=pt), then reboot.", check.Remedy);

        // The live type wins over a command line that asks for passthrough.
        using var pt = HostTree.FromFixture("i350-4port");
        pt.WriteFile("/sys/kernel/iommu_groups/0/type", "DMA-FQ\n");
        var translated = One(Run(pt), "Iommu.Passthrough");
        Assert.Equal(SriovCheckStatus.Warning, translated.Status);
        Assert.Contains("(IOMMU group 0 is of type DMA-FQ, although the kernel command line has iommu=pt)", translated.Finding);
    }

    [Fact]
    public void Remapped_interrupts_pass()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/proc/interrupts", "           CPU0\n  0:  113  IR-IO-APIC   2-edge  timer\n 24:  0  IR-PCI-MSI 524288-edge  eno49\n");
        var check = One(Run(tree), "Iommu.InterruptRemapping");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("Interrupts are remapped: /proc/interrupts shows IR-IO-APIC, IR-PCI-MSI interrupts.", check.Finding);
    }

    [Fact]
    public void Without_remapping_the_unsafe_interrupts_trade_off_is_explained()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/proc/interrupts", "           CPU0\n  0:  113  IO-APIC   2-edge  timer\n");
        var check = One(Run(tree), "Iommu.InterruptRemapping");
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Contains("vfio refuses to give devices to guests (\"No interrupt remapping support\") unless vfio_iommu_type1 allow_unsafe_interrupts=1 is set", check.Finding);
        Assert.Contains("allow_unsafe_interrupts=1' to /etc/modprobe.d/iommu_unsafe_interrupts.conf", check.Remedy);

        // The seeds' modprobe.d line is found and named.
        tree.WriteFile("/etc/modprobe.d/iommu_unsafe_interrupts.conf", "# for vfio\noptions vfio_iommu_type1 allow_unsafe_interrupts=1\n");
        var allowed = One(Run(tree), "Iommu.InterruptRemapping");
        Assert.Equal(SriovCheckStatus.Warning, allowed.Status);
        Assert.Contains("allow_unsafe_interrupts is set (/etc/modprobe.d/iommu_unsafe_interrupts.conf line 2)", allowed.Finding);
        Assert.Contains("forged interrupts", allowed.Finding);

        tree.Delete("/etc/modprobe.d/iommu_unsafe_interrupts.conf");
        tree.WriteFile("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
        Assert.Contains("(/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts is Y)", One(Run(tree), "Iommu.InterruptRemapping").Finding);
    }

    [Fact]
    public void Interrupt_remapping_needs_the_live_host()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(Run(tree), "Iommu.InterruptRemapping");
        Assert.Equal(SriovCheckStatus.Skipped, check.Status);
        Assert.Contains("only the live host has", check.Finding);
    }
}
