using System.Collections.Generic;
using SriovPS.Libvirt;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>
/// libvirt's configuration checks on a copied tree: qemu.conf's dynamic_ownership, and AppArmor's
/// libvirt-qemu abstraction against the vfio groups in use (the seeds' "failed to open /dev/vfio/94").
/// </summary>
public sealed class LibvirtCheckTests
{
    private const string Abstraction = "/etc/apparmor.d/abstractions/libvirt-qemu";
    private const string Local = "/etc/apparmor.d/local/abstractions/libvirt-qemu";

    // The part of Debian's abstraction that concerns vfio: only the container node, not the groups.
    private const string DebianAbstraction =
        "# for vfio hotplug on systems without static vfio (LP: #1775777)\n/dev/vfio/vfio rw,\n\n" +
        "  /usr/share/qemu/** r,\n  deny /dev/mem rw,\n";

    private static HostTree AppArmorHost(string abstraction)
    {
        var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y\n");
        tree.WriteFile(Abstraction, abstraction);
        return tree;
    }

    /// <summary>The checks with libvirt running a pool that hands out VF 0 of eno49 (0000:04:10.0, IOMMU group 39).</summary>
    private static List<SriovHostCheck> RunWithPool(HostTree tree, params string[] vfs)
    {
        var pool = PoolCheckTests.PfPool("eno49-sr-iov", "eno49", true, vfs.Length > 0 ? vfs : ["0000:04:10.0"]);
        return Run(tree, LibvirtFacts.FromInventory("qemu:///system", LibvirtInventory.FromStates([pool], [], []), PoolCheckTests.PfVfs(tree)));
    }

    [Fact]
    public void Libvirt_is_not_asked_on_a_copied_tree()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var check = One(Run(tree), "Libvirt.Reachable");
        Assert.Equal(SriovCheckStatus.Skipped, check.Status);
        Assert.Equal("qemu:///system", check.Target);
        Assert.Equal(
            $"Not judged: SRIOVPS_HOST_ROOT or -HostRoot names a copied host tree ({tree.Root}), or a snapshot of one; libvirt is only asked on the live host, so pools and guests are not checked.",
            check.Finding);
    }

    [Fact]
    public void Dynamic_ownership_off_fails_with_the_seeds_error()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        Assert.Equal(SriovCheckStatus.Skipped, One(Run(tree), "Libvirt.DynamicOwnership").Status);

        tree.WriteFile("/etc/libvirt/qemu.conf", "# dynamic_ownership = 1\nuser = \"libvirt-qemu\"\n");
        var unset = One(Run(tree), "Libvirt.DynamicOwnership");
        Assert.Equal(SriovCheckStatus.Pass, unset.Status);
        Assert.Equal("libvirt gives QEMU the vfio group nodes of its VFs (/etc/libvirt/qemu.conf does not set dynamic_ownership, which defaults to 1).", unset.Finding);

        tree.WriteFile("/etc/libvirt/qemu.conf", "#dynamic_ownership = 1\n\ndynamic_ownership = 0   # RHEV\n");
        var off = One(Run(tree), "Libvirt.DynamicOwnership");
        Assert.Equal(SriovCheckStatus.Fail, off.Status);
        Assert.Equal("/etc/libvirt/qemu.conf", off.Target);
        Assert.Equal(
            "dynamic_ownership = 0 (/etc/libvirt/qemu.conf line 3): libvirt leaves /dev/vfio/N owned by root, so QEMU fails with " +
            "\"failed to open /dev/vfio/N: Permission denied\".",
            off.Finding);
        Assert.Equal("Set dynamic_ownership = 1 in /etc/libvirt/qemu.conf (or delete the line), then restart libvirtd.", off.Remedy);
    }

    [Fact]
    public void An_abstraction_without_the_vf_group_fails_with_the_seeds_error()
    {
        using var tree = AppArmorHost(DebianAbstraction);
        var check = One(RunWithPool(tree), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(
            "AppArmor confines QEMU, and no rule in /etc/apparmor.d/abstractions/libvirt-qemu (which does not include " +
            "/etc/apparmor.d/local/abstractions/libvirt-qemu) lets it open /dev/vfio/39 (VF 0 of eno49, 0000:04:10.0, in pool 'eno49-sr-iov'): " +
            "a guest given such a VF fails with \"failed to open /dev/vfio/39: Permission denied\".",
            check.Finding);
        Assert.Equal("Repair-VfioAppArmor", check.Remedy);
    }

    [Fact]
    public void The_local_override_counts_once_the_abstraction_includes_it()
    {
        using var tree = AppArmorHost(DebianAbstraction);
        tree.WriteFile(Local, "# Site-specific additions\n/dev/vfio/* rw,\n");
        Assert.Equal(SriovCheckStatus.Fail, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);

        tree.WriteFile(Abstraction, DebianAbstraction + "\n  # Site-specific additions and overrides.\n  include if exists <local/abstractions/libvirt-qemu>\n");
        var check = One(RunWithPool(tree), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.Equal("AppArmor lets QEMU open /dev/vfio/39: '/dev/vfio/* rw,' (/etc/apparmor.d/local/abstractions/libvirt-qemu line 2).", check.Finding);
    }

    [Fact]
    public void The_bionic_edit_in_the_abstraction_itself_counts()
    {
        using var tree = AppArmorHost(DebianAbstraction.Replace("/dev/vfio/vfio rw,", "/dev/vfio/* rw,"));
        Assert.Equal(SriovCheckStatus.Pass, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);
    }

    [Fact]
    public void A_deny_rule_or_a_read_only_rule_does_not_allow_the_group()
    {
        using var tree = AppArmorHost(DebianAbstraction + "#include <local/abstractions/libvirt-qemu>\n");
        tree.WriteFile(Local, "/dev/vfio/{3[0-9],40} r,\n");
        Assert.Equal(SriovCheckStatus.Fail, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);

        tree.WriteFile(Local, "/dev/vfio/{3[0-9],40} rw,\n");
        Assert.Equal(SriovCheckStatus.Pass, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);

        tree.WriteFile(Local, "/dev/vfio/{3[0-9],40} rw,\naudit deny /dev/vfio/39 w,\n");
        Assert.Equal(SriovCheckStatus.Fail, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);
    }

    [Fact]
    public void Without_apparmor_or_with_another_security_driver_nothing_is_denied()
    {
        using var tree = AppArmorHost(DebianAbstraction);
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "N\n");
        var off = One(RunWithPool(tree), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Pass, off.Status);
        Assert.Equal("AppArmor is not active (/sys/module/apparmor/parameters/enabled is N): it confines no QEMU process.", off.Finding);

        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y\n");
        tree.WriteFile("/etc/libvirt/qemu.conf", "security_driver = [ \"selinux\" ]\n");
        Assert.Contains("security_driver is \"selinux\"", One(RunWithPool(tree), "Libvirt.AppArmorVfio").Finding);

        tree.WriteFile("/etc/libvirt/qemu.conf", "security_driver = \"apparmor\"\n");
        Assert.Equal(SriovCheckStatus.Fail, One(RunWithPool(tree), "Libvirt.AppArmorVfio").Status);
    }

    [Fact]
    public void Without_pools_read_or_vfs_in_pools_no_group_is_judged()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        Assert.Equal(SriovCheckStatus.Skipped, One(Run(tree), "Libvirt.AppArmorVfio").Status);

        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y\n");
        tree.WriteFile(Abstraction, DebianAbstraction);
        var offline = One(Run(tree), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Skipped, offline.Status);
        Assert.Equal("Not judged: the vfio groups QEMU must open are those of the VFs SR-IOV pools hand out, and this machine's libvirt was not read.", offline.Finding);

        // A VF on vfio-pci outside any pool is given as a fixed device, whose rule libvirt writes itself.
        BindVf0ToVfio(tree);
        var noPool = One(Run(tree, LibvirtFacts.FromInventory("qemu:///system", LibvirtInventory.FromStates([], [], []), PoolCheckTests.PfVfs(tree))), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Pass, noPool.Status);
        Assert.StartsWith("No SR-IOV pool has VFs, so no vfio group needs a rule", noPool.Finding);
    }

    [Fact]
    public void Every_vf_of_a_pool_needs_its_group_and_four_are_named()
    {
        using var tree = AppArmorHost(DebianAbstraction);
        var check = One(RunWithPool(tree, "0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0"), "Libvirt.AppArmorVfio");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains("/dev/vfio/42 (VF 3 of eno49, 0000:04:11.4, in pool 'eno49-sr-iov'); …: a guest given such a VF fails with \"failed to open /dev/vfio/39: Permission denied\".", check.Finding);
    }

    [Fact]
    public void An_unreadable_qemu_conf_is_not_called_missing_and_qemu_as_root_needs_no_ownership()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/etc/libvirt/qemu.conf", "user = \"root\"\ndynamic_ownership = 0\n");
        var root = One(Run(tree), "Libvirt.DynamicOwnership");
        Assert.Equal(SriovCheckStatus.Pass, root.Status);
        Assert.Equal("QEMU runs as root (user = \"root\", /etc/libvirt/qemu.conf line 1), so the owner of /dev/vfio/N does not matter.", root.Finding);

        tree.WriteFile("/etc/libvirt/qemu.conf", "security_driver = [\n  \"selinux\",\n  \"dac\"\n]\n");
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y\n");
        tree.WriteFile(Abstraction, DebianAbstraction);
        Assert.Contains("security_driver is \"selinux\", \"dac\"", One(RunWithPool(tree), "Libvirt.AppArmorVfio").Finding);

        // Debian keeps qemu.conf readable by root only: a directory in its place cannot be read either.
        tree.Delete("/etc/libvirt/qemu.conf");
        System.IO.Directory.CreateDirectory(tree.PathOf("/etc/libvirt/qemu.conf"));
        Assert.Equal("Not judged: /etc/libvirt/qemu.conf could not be read (it is readable by root only).", One(Run(tree), "Libvirt.DynamicOwnership").Finding);
    }
}
