using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>The per-PF checks on the seeds' I350 and the other fixture hosts.</summary>
public sealed class PfCheckTests
{
    [Fact]
    public void Each_pf_of_the_seeds_host_is_capable_bound_enabled_and_up()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var checks = Run(tree);
        foreach (var pf in new[] { "eno49", "eno50", "eno51", "eno52" })
        {
            Assert.Equal(SriovCheckStatus.Pass, One(checks, "Pf.SriovCapable", pf).Status);
            Assert.Equal(SriovCheckStatus.Pass, One(checks, "Pf.Driver", pf).Status);
            Assert.Equal(SriovCheckStatus.Pass, One(checks, "Pf.LinkUp", pf).Status);
            Assert.Equal(SriovCheckStatus.Pass, One(checks, "Pf.VfIsolation", pf).Status);
        }

        Assert.StartsWith("eno49 (0000:04:00.0), Intel Corporation I350 Gigabit Network Connection, can create 7 VFs.", One(checks, "Pf.SriovCapable", "eno49").Finding);
        Assert.Equal("eno49 (0000:04:00.0) is bound to igb.", One(checks, "Pf.Driver", "eno49").Finding);
        Assert.Equal("7 of 7 VFs are enabled.", One(checks, "Pf.VfsEnabled", "eno49").Finding);
        Assert.Equal("eno49 is up (operstate up).", One(checks, "Pf.LinkUp", "eno49").Finding);
        Assert.Equal(
            "Each of the 7 VFs is alone in its IOMMU group (groups 39–45): each can be given to a guest by itself.",
            One(checks, "Pf.VfIsolation", "eno49").Finding);
    }

    [Fact]
    public void A_pf_that_is_down_fails_with_the_seeds_error_and_the_remedy()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile(Eno49 + "/net/eno49/flags", "0x1002\n");
        tree.WriteFile(Eno49 + "/net/eno49/operstate", "down\n");
        var check = One(Run(tree), "Pf.LinkUp", "eno49");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(
            "eno49 is administratively down (flags 0x1002, operstate down): libvirt refuses its VFs when a guest starts " +
            "(\"Unable to configure VF 0 of PF 'eno49' because the PF is not online\").",
            check.Finding);
        Assert.Equal("Set-SriovPf -Name eno49 -LinkState Up -Persist", check.Remedy);
    }

    [Fact]
    public void A_pf_up_without_carrier_is_a_warning()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile(Eno49 + "/net/eno49/operstate", "down\n");
        var check = One(Run(tree), "Pf.LinkUp", "eno49");
        Assert.Equal(SriovCheckStatus.Warning, check.Status);
        Assert.Equal("Check the cable and the switch port of eno49.", check.Remedy);
    }

    [Fact]
    public void A_pf_without_an_interface_has_no_link_to_judge()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Eno49 + "/net");
        tree.Delete("/sys/class/net/eno49");
        var check = One(Run(tree), "Pf.LinkUp", "0000:04:00.0");
        Assert.Equal(SriovCheckStatus.Skipped, check.Status);
        Assert.Equal("Not judged: 0000:04:00.0 has no network interface.", check.Finding);
    }

    [Fact]
    public void Vf_counts_are_compared_with_the_count_made_at_boot()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var none = One(Run(tree), "Pf.VfCountPersisted", "eno49");
        Assert.Equal(SriovCheckStatus.Warning, none.Status);
        Assert.Equal(
            "7 VFs now, but nothing makes VFs at boot (no udev rule for it): after a reboot eno49 has 0, and guests given the others cannot start.",
            none.Finding);
        Assert.Equal("Enable-SriovVf -PfName eno49 -Count 7 -Persist", none.Remedy);

        tree.WriteFile(UdevVfRules.HostPath, UdevVfRules.WithCount(null, "0000:04:00.0", 4, null));
        Assert.Contains("/etc/udev/rules.d/70-sriovps.rules makes 4 at boot: after a reboot eno49 has 4", One(Run(tree), "Pf.VfCountPersisted", "eno49").Finding);

        tree.WriteFile(UdevVfRules.HostPath, UdevVfRules.WithCount(null, "0000:04:00.0", 7, null));
        var kept = One(Run(tree), "Pf.VfCountPersisted", "eno49");
        Assert.Equal(SriovCheckStatus.Pass, kept.Status);
        Assert.Equal("7 VFs now, and /etc/udev/rules.d/70-sriovps.rules makes 7 at boot.", kept.Finding);
    }

    [Fact]
    public void A_udev_rule_of_someone_elses_is_named_not_compared()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/udev/rules.d/70-eno49-vf.rules", "ACTION==\"add\", SUBSYSTEM==\"net\", KERNEL==\"eno49\", ATTR{device/sriov_numvfs}=\"7\"\n");
        var check = One(Run(tree), "Pf.VfCountPersisted", "eno49");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("7 VFs now; /etc/udev/rules.d/70-eno49-vf.rules line 1 sets the VF count at boot (configuration SriovPS does not manage, not compared).", check.Finding);
        Assert.Equal(SriovCheckStatus.Warning, One(Run(tree), "Pf.VfCountPersisted", "eno50").Status);
    }

    [Theory]
    [InlineData("/etc/systemd/network/10-eno49.link", "[Match]\nOriginalName=eno49\n\n[SR-IOV]\n[Link]\nSR-IOVVirtualFunctions=7\n", "/etc/systemd/network/10-eno49.link line 6")]
    [InlineData("/etc/netplan/02-eno49-config.yaml", "network:\n  ethernets:\n    eno49:\n      virtual-function-count: 7\n", "/etc/netplan/02-eno49-config.yaml line 4")]
    [InlineData("/etc/NetworkManager/system-connections/eno49.nmconnection", "[connection]\ninterface-name=eno49\n[sriov]\ntotal-vfs=7\n", "/etc/NetworkManager/system-connections/eno49.nmconnection line 4")]
    [InlineData("/etc/modprobe.d/igb.conf", "options igb max_vfs=7\n", "/etc/modprobe.d/igb.conf line 1")]
    [InlineData("/proc/cmdline", "ro intel_iommu=on igb.max_vfs=7\n", "the kernel command line (igb.max_vfs=)")]
    public void Other_configuration_that_makes_vfs_at_boot_is_named(string path, string text, string where)
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile(path, text);
        var check = One(Run(tree), "Pf.VfCountPersisted", "eno49");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.StartsWith($"7 VFs now; {where} sets the VF count at boot", check.Finding);
    }

    [Fact]
    public void A_netplan_file_for_another_pf_does_not_count()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/netplan/02-eno490.yaml", "network:\n  ethernets:\n    eno490:\n      virtual-function-count: 7\n");
        Assert.Equal(SriovCheckStatus.Warning, One(Run(tree), "Pf.VfCountPersisted", "eno49").Status);
    }

    [Fact]
    public void No_vfs_is_a_warning_with_the_enable_command()
    {
        using var tree = HostTree.FromFixture("x540-2port");
        var checks = Run(tree);
        var pf = checks.First(c => c.Id == "Pf.VfsEnabled" && c.Status == SriovCheckStatus.Warning);
        Assert.StartsWith("No VFs are enabled (0 of 63 VFs)", pf.Finding);
        Assert.Equal($"Enable-SriovVf -PfName {pf.Target} -Count 63 -Persist", pf.Remedy);
        Assert.Equal(SriovCheckStatus.Skipped, One(checks, "Pf.VfIsolation", pf.Target).Status);
    }

    [Fact]
    public void A_pf_without_a_driver_fails_and_names_the_module()
    {
        using var tree = HostTree.FromFixture("e810-nodriver");
        var checks = Run(tree);
        var driver = checks.Single(c => c.Id == "Pf.Driver");
        Assert.Equal(SriovCheckStatus.Fail, driver.Status);
        Assert.EndsWith(": VFs are created through the PF's driver (sriov_numvfs).", driver.Finding);
        Assert.Equal("Bind the PF's driver: load the NIC's driver (modprobe).", driver.Remedy);

        // With the kernel's module aliases, the module that matches the device is named.
        var pf = new SriovDiscovery(tree.Files).GetPfs().Single();
        tree.WriteFile($"/sys/bus/pci/devices/{pf.PciAddress}/modalias", "pci:v00008086d00001593sv00008086sd00000002bc02sc00i00\n");
        tree.WriteFile("/proc/sys/kernel/osrelease", "6.1.0-test\n");
        tree.WriteFile("/lib/modules/6.1.0-test/modules.alias", "alias pci:v00008086d00001593sv*sd*bc*sc*i* ice\n");
        Assert.Equal("Bind the PF's driver: modprobe ice.", Run(tree).Single(c => c.Id == "Pf.Driver").Remedy);
        Assert.Equal(SriovCheckStatus.Skipped, checks.Single(c => c.Id == "Pf.VfsEnabled").Status);
    }

    [Fact]
    public void A_nic_without_sr_iov_named_by_pf_name_fails_capability()
    {
        using var tree = HostTree.FromFixture("virtio-vm");
        var checks = Run(tree, pfNames: ["eth0"]);
        var check = One(checks, "Pf.SriovCapable", "eth0");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.EndsWith("has no SR-IOV capability (no sriov_totalvfs), so it cannot create VFs.", check.Finding);
        Assert.DoesNotContain(checks, c => c.Id == "Pf.Driver");

        // Without -PfName, a host with no SR-IOV NIC at all says so once.
        var host = Run(tree).Single(c => c.Id == "Pf.SriovCapable");
        Assert.Equal(SriovCheckStatus.Fail, host.Status);
        Assert.StartsWith("No network device in /sys/bus/pci/devices has SR-IOV", host.Finding);
    }

    [Fact]
    public void Vfs_sharing_an_iommu_group_cannot_be_passed_alone()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        // VF 1 (0000:04:10.4) lands in VF 0's group 39, as on a slot without ACS.
        File.CreateSymbolicLink(tree.PathOf("/sys/kernel/iommu_groups/39/devices/0000:04:10.4"), "../../../../devices/pci0000:00/0000:00:02.2/0000:04:10.4");
        var vf1 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.4/iommu_group";
        tree.Delete(vf1);
        File.CreateSymbolicLink(tree.PathOf(vf1), "../../../../kernel/iommu_groups/39");
        var check = One(Run(tree), "Pf.VfIsolation", "eno49");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(
            "2 of 7 VFs are not alone in their IOMMU group (0000:04:10.0 shares group 39 with 0000:04:10.4; 0000:04:10.4 shares group 39 with 0000:04:10.0): " +
            "vfio gives a whole group to one guest, so such a VF cannot be passed by itself (the NIC, or a bridge above it, lacks ACS).",
            check.Finding);
        Assert.StartsWith("Put the NIC in a slot whose PCIe root port supports ACS", check.Remedy);
    }

    [Fact]
    public void Bar_space_is_judged_from_the_sr_iov_resources()
    {
        const string zero = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
        const string bar = "0x00000000fe800000 0x00000000fe81ffff 0x0000000000040200\n";
        using var tree = HostTree.FromFixture("x540-2port");
        var pf = Run(tree).First(c => c.Id == "Pf.BarSpace");
        Assert.Equal(SriovCheckStatus.Skipped, pf.Status);
        string device = "/sys/bus/pci/devices/" + new SriovDiscovery(tree.Files).GetPfs().Single(p => p.ToString() == pf.Target).PciAddress;
        string resource = tree.Files.PathOf(device) + "/resource";

        File.WriteAllText(resource, string.Concat(Enumerable.Repeat(bar, 4)) + string.Concat(Enumerable.Repeat(zero, 9)));
        var starved = One(Run(tree), "Pf.BarSpace", pf.Target);
        Assert.Equal(SriovCheckStatus.Fail, starved.Status);
        Assert.Contains("has address space (lines 8–13 of /sys/bus/pci/devices/", starved.Finding);
        Assert.Contains("enabling VFs fails (\"not enough MMIO resources for SR-IOV\")", starved.Finding);
        Assert.Equal("Add pci=realloc to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, regenerate grub.cfg (update-grub, or grub2-mkconfig), and reboot.", starved.Remedy);

        tree.WriteFile("/proc/cmdline", "ro intel_iommu=on pci=realloc\n");
        Assert.StartsWith("pci=realloc is already on the kernel command line", One(Run(tree), "Pf.BarSpace", pf.Target).Remedy);

        // A BAR the kernel found no room for keeps its flags, with IORESOURCE_UNSET (0x20000000) and no address.
        const string unset = "0x0000000000000000 0x000000000001ffff 0x000000002014220c\n";
        File.WriteAllText(resource, string.Concat(Enumerable.Repeat(bar, 7)) + unset + string.Concat(Enumerable.Repeat(zero, 5)));
        Assert.Equal(SriovCheckStatus.Fail, One(Run(tree), "Pf.BarSpace", pf.Target).Status);

        File.WriteAllText(resource, string.Concat(Enumerable.Repeat(bar, 8)) + string.Concat(Enumerable.Repeat(zero, 5)));
        var assigned = One(Run(tree), "Pf.BarSpace", pf.Target);
        Assert.Equal(SriovCheckStatus.Pass, assigned.Status);
        Assert.StartsWith("The VF BARs have address space (VF BAR 0 at 0x00000000fe800000–0x00000000fe81ffff", assigned.Finding);
    }
}
