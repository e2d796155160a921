using System.IO;
using System.Linq;
using SriovPS.Consumers;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>Test-SriovHost -For: each consumer's checks on fixture trees (lab-igb: VF 0 of eth0 on vfio-pci, the others on igbvf).</summary>
public sealed class ConsumerCheckTests
{
    private const string Eth0Vfs = "/sys/devices/pci0000:00/0000:00:01.0/";

    private static readonly string[] IommuAndVfio = ["Iommu.Enabled", "Iommu.Passthrough", "Iommu.InterruptRemapping", "Vfio.Loaded", "Vfio.LoadAtBoot"];

    private static readonly string[] PfBasics = ["Pf.SriovCapable", "Pf.Driver", "Pf.VfsEnabled", "Pf.VfCountPersisted", "Pf.LinkUp"];

    [Theory]
    [InlineData(SriovConsumer.Kata, "Pf.VfIsolation,Pf.BarSpace,Vf.VfioDriver,Vf.VfioDevice")]
    [InlineData(SriovConsumer.KubeVirt, "Pf.VfIsolation,Pf.BarSpace,Vf.VfioDriver,Vf.VfioDevice,KubeVirt.DevicePlugin")]
    [InlineData(SriovConsumer.Docker, "Vf.KernelDriver,Vf.MacSet")]
    public void Each_consumer_runs_its_own_checks_and_none_of_libvirt(SriovConsumer consumer, string ownPerPf)
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var checks = Run(tree, consumer: consumer);
        var hostWide = ConsumerChecks.NeedsVfio(consumer) ? IommuAndVfio : [];
        Assert.Equal(hostWide.Order(), checks.Where(c => c.Target is not ("eth0" or "eth1")).Select(c => c.Id).Order());
        foreach (var pf in new[] { "eth0", "eth1" })
        {
            Assert.Equal(PfBasics.Concat(ownPerPf.Split(',')).Order(), checks.Where(c => c.Target == pf).Select(c => c.Id).Order());
        }

        Assert.Equal(ConsumerChecks.For(consumer).PerPf.Order(), PfBasics.Concat(ownPerPf.Split(',')).Order());
        Assert.DoesNotContain(checks, c => c.Id.StartsWith("Libvirt.", System.StringComparison.Ordinal) || c.Id.StartsWith("Pool.", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Ovs_offload_runs_the_pf_checks_without_iommu_or_vfio()
    {
        using var tree = HostTree.FromFixture("connectx5");
        var checks = Run(tree, consumer: SriovConsumer.OvsOffload);
        Assert.Equal(PfBasics.Order(), checks.Where(c => c.Target == "enp10s0f0np0" && c.Id.StartsWith("Pf.", System.StringComparison.Ordinal)).Select(c => c.Id).Order());
        Assert.DoesNotContain(checks, c => c.Id.StartsWith("Iommu.", System.StringComparison.Ordinal) || c.Id.StartsWith("Vfio.", System.StringComparison.Ordinal) || c.Id.StartsWith("Libvirt.", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Libvirt_has_todays_checks_in_the_table()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var set = ConsumerChecks.For(SriovConsumer.Libvirt);
        Assert.All(Run(tree), c => Assert.True(set.Has(c.Id), c.Id));
        Assert.Equal(Statuses(Run(tree)), Statuses(Run(tree, consumer: SriovConsumer.Libvirt)));
    }

    [Fact]
    public void Vfio_driver_fails_naming_the_vfs_elsewhere_and_passes_once_all_are_on_vfio_pci()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var check = One(Run(tree, consumer: SriovConsumer.Kata), "Vf.VfioDriver", "eth0");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("6 of 7 VFs of eth0 are not on vfio-pci (vf 1 on igbvf, vf 2 on igbvf, vf 3 on igbvf, vf 4 on igbvf, vf 5 on igbvf, vf 6 on igbvf)", check.Finding);
        Assert.Equal("Set-SriovVfDriver -PfName eth0 -Index 1,2,3,4,5,6 -Driver vfio-pci -Persist", check.Remedy);

        foreach (var (function, name) in new[] { ("10.2", "eth3"), ("10.4", "eth4"), ("10.6", "eth5"), ("11.0", "eth6"), ("11.2", "eth7"), ("11.4", "eth8") })
        {
            BindToVfio(tree, Eth0Vfs + "0000:01:" + function, name);
        }

        var passed = One(Run(tree, consumer: SriovConsumer.Kata), "Vf.VfioDriver", "eth0");
        Assert.Equal(SriovCheckStatus.Pass, passed.Status);
        Assert.Equal("All 7 VFs of eth0 are on vfio-pci.", passed.Finding);
        Assert.Equal(SriovCheckStatus.Skipped, One(Run(tree, consumer: SriovConsumer.Kata), "Vf.VfioDriver", "eth1").Status);
    }

    [Fact]
    public void Vfio_device_is_judged_only_where_the_files_hold_dev_vfio()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var copied = One(Run(tree, consumer: SriovConsumer.Kata), "Vf.VfioDevice", "eth0");
        Assert.Equal(SriovCheckStatus.Skipped, copied.Status);
        Assert.StartsWith("Not judged: /dev/vfio is not part of a copied host tree", copied.Finding);

        var missing = One(Run(tree, consumer: SriovConsumer.Kata, wholeHost: true), "Vf.VfioDevice", "eth0");
        Assert.Equal(SriovCheckStatus.Fail, missing.Status);
        Assert.StartsWith("1 of the 1 VFs of eth0 on vfio-pci have no vfio group node (vf 0: no /dev/vfio/8)", missing.Finding);
        Assert.StartsWith("Set-SriovVfDriver -PfName eth0 -Index 0 -Driver Default, then Set-SriovVfDriver -PfName eth0 -Index 0 -Driver vfio-pci", missing.Remedy);

        tree.WriteFile("/dev/vfio/8", "");
        var present = One(Run(tree, consumer: SriovConsumer.Kata, wholeHost: true), "Vf.VfioDevice", "eth0");
        Assert.Equal(SriovCheckStatus.Pass, present.Status);
        Assert.Equal("The VF of eth0 on vfio-pci has its group's node (/dev/vfio/8).", present.Finding);
    }

    [Fact]
    public void Vfio_consumers_fail_what_libvirt_only_warns_about()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        tree.WriteFile("/proc/interrupts", "           CPU0\n  0:  113  IO-APIC   2-edge  timer\n");
        tree.WriteFile("/sys/module/vfio/refcnt", "0\n");
        foreach (var id in new[] { "Iommu.InterruptRemapping", "Vfio.Loaded", "Vfio.LoadAtBoot" })
        {
            var libvirt = One(Run(tree), id);
            var kata = One(Run(tree, consumer: SriovConsumer.Kata), id);
            var kubevirt = One(Run(tree, consumer: SriovConsumer.KubeVirt), id);
            Assert.Equal(SriovCheckStatus.Warning, libvirt.Status);
            Assert.Equal(SriovCheckStatus.Fail, kata.Status);
            Assert.Equal(SriovCheckStatus.Fail, kubevirt.Status);
            Assert.Equal(libvirt.Remedy, kata.Remedy);
            Assert.Equal(libvirt.Repair, kata.Repair);
        }

        // Unsafe interrupts accepted on purpose stay a warning: vfio takes the VFs then.
        tree.WriteFile("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
        Assert.Equal(SriovCheckStatus.Warning, One(Run(tree, consumer: SriovConsumer.Kata), "Iommu.InterruptRemapping").Status);
    }

    [Fact]
    public void Kernel_driver_fails_on_a_vf_on_vfio_pci_and_warns_on_one_without_an_interface_here()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var check = One(Run(tree, consumer: SriovConsumer.Docker), "Vf.KernelDriver", "eth0");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.StartsWith("1 of 7 VFs of eth0 are not on a kernel network driver (vf 0 on vfio-pci)", check.Finding);
        Assert.Equal("Set-SriovVfDriver -PfName eth0 -Index 0 -Driver Default -Persist", check.Remedy);

        using var i350 = HostTree.FromFixture("i350-4port");
        var passed = One(Run(i350, consumer: SriovConsumer.Docker), "Vf.KernelDriver", "eno49");
        Assert.Equal(SriovCheckStatus.Pass, passed.Status);
        Assert.StartsWith("All 7 VFs of eno49 are on a kernel network driver with an interface (vf 0 enp4s16f0 on igbvf", passed.Finding);

        // A container holds the interface of VF 0: it is gone from this namespace.
        i350.Delete(Eno49Vf0 + "/net");
        i350.Delete("/sys/class/net/enp4s16f0");
        var moved = One(Run(i350, consumer: SriovConsumer.Docker), "Vf.KernelDriver", "eno49");
        Assert.Equal(SriovCheckStatus.Warning, moved.Status);
        Assert.StartsWith("1 of 7 VFs of eno49 are on a kernel driver but have no interface in this network namespace (vf 0 on igbvf)", moved.Finding);
    }

    [Fact]
    public void Mac_set_is_not_judged_on_a_copied_tree_and_judges_the_macs_the_pf_reports()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var copied = One(Run(tree, consumer: SriovConsumer.Docker), "Vf.MacSet", "eth0");
        Assert.Equal(SriovCheckStatus.Skipped, copied.Status);

        var pf = new SriovPf("0000:01:00.0") { Name = "eth0" };
        var set = new SriovVf(pf.PciAddress, "0000:01:10.0") { Index = 0, MacAddress = "02:53:4e:00:00:10" };
        var zero = new SriovVf(pf.PciAddress, "0000:01:10.2") { Index = 1, MacAddress = "00:00:00:00:00:00" };
        var none = new SriovVf(pf.PciAddress, "0000:01:10.4") { Index = 2 };

        var checks = new HostCheckList();
        VfChecks.MacSet(checks, tree.Files, pf, [set], macsKnown: true);
        VfChecks.MacSet(checks, tree.Files, pf, [set, zero, none], macsKnown: true);
        Assert.Equal(SriovCheckStatus.Pass, checks.Checks[0].Status);
        Assert.Equal("eth0 sets a MAC for each of its 1 VFs (vf 0 02:53:4e:00:00:10).", checks.Checks[0].Finding);
        Assert.Equal(SriovCheckStatus.Fail, checks.Checks[1].Status);
        Assert.StartsWith("eth0 sets no MAC for 2 of its 3 VFs (vf 1 00:00:00:00:00:00, vf 2 none reported)", checks.Checks[1].Finding);
        // None of them has an interface here, so there is no driver to rebind.
        Assert.Equal("Set-SriovVf -PfName eth0 -Index 1,2 -MacAddress Auto -Persist", checks.Checks[1].Remedy);
    }

    [Fact]
    public void Mac_set_fails_a_vf_whose_interface_does_not_carry_the_mac_the_pf_sets_and_names_the_rebind()
    {
        // eno49 vf 0's interface enp4s16f0 carries b6:1c:40:7e:10:00, the address its driver made up.
        using var tree = HostTree.FromFixture("i350-4port");
        var pf = new SriovPf("0000:04:00.0") { Name = "eno49" };
        SriovVf Vf0(string mac) => new(pf.PciAddress, "0000:04:10.0") { Index = 0, Name = "enp4s16f0", Driver = "igbvf", MacAddress = mac };
        var unset = new SriovVf(pf.PciAddress, "0000:04:10.4") { Index = 1, Name = "enp4s16f4", Driver = "igbvf", MacAddress = "00:00:00:00:00:00" };

        var checks = new HostCheckList();
        VfChecks.MacSet(checks, tree.Files, pf, [Vf0("32:5e:0f:a0:00:00")], macsKnown: true);
        VfChecks.MacSet(checks, tree.Files, pf, [Vf0("B6:1C:40:7E:10:00")], macsKnown: true);
        VfChecks.MacSet(checks, tree.Files, pf, [Vf0("32:5e:0f:a0:00:00"), unset], macsKnown: true);

        var stale = checks.Checks[0];
        Assert.Equal(SriovCheckStatus.Fail, stale.Status);
        Assert.StartsWith("The interfaces of 1 VFs of eno49 do not carry the MAC the PF sets (vf 0 enp4s16f0 carries b6:1c:40:7e:10:00, the PF sets 32:5e:0f:a0:00:00)", stale.Finding);
        Assert.Equal("Set-SriovVf -PfName eno49 -Index 0 -Rebind", stale.Remedy);
        // Compared as MACs, whatever their case.
        Assert.Equal(SriovCheckStatus.Pass, checks.Checks[1].Status);
        var both = checks.Checks[2];
        Assert.Equal(SriovCheckStatus.Fail, both.Status);
        Assert.StartsWith("eno49 sets no MAC for 1 of its 2 VFs (vf 1 00:00:00:00:00:00)", both.Finding);
        Assert.Contains("The interfaces of 1 VFs of eno49 do not carry", both.Finding, System.StringComparison.Ordinal);
        Assert.Equal("Set-SriovVf -PfName eno49 -Index 1 -MacAddress Auto -Persist -Rebind; Set-SriovVf -PfName eno49 -Index 0 -Rebind", both.Remedy);
    }

    [Fact]
    public void Device_plugin_passes_when_a_resource_selects_the_vfs_on_vfio_pci()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var missing = One(Run(tree, consumer: SriovConsumer.KubeVirt), "KubeVirt.DevicePlugin", "eth0");
        Assert.Equal(SriovCheckStatus.Warning, missing.Status);
        Assert.StartsWith("/etc/pcidp/config.json does not exist", missing.Finding);
        Assert.StartsWith("Export-SriovConfig -Format DevicePlugin -PfName eth0 -Path /etc/pcidp/config.json", missing.Remedy);
        Assert.Equal(SriovCheckStatus.Skipped, One(Run(tree, consumer: SriovConsumer.KubeVirt), "KubeVirt.DevicePlugin", "eth1").Status);

        tree.WriteFile(DevicePluginCheck.ConfigPath, Config("igbvf", "eth0#1-6"));
        var other = One(Run(tree, consumer: SriovConsumer.KubeVirt), "KubeVirt.DevicePlugin", "eth0");
        Assert.Equal(SriovCheckStatus.Warning, other.Status);
        Assert.StartsWith("No resource in /etc/pcidp/config.json (1 resources) selects 1 of the 1 VFs of eth0 on vfio-pci (vf 0; vendor 8086, device 10ca)", other.Finding);

        tree.WriteFile(DevicePluginCheck.ConfigPath, Config("vfio-pci", "eth0#0"));
        var passed = One(Run(tree, consumer: SriovConsumer.KubeVirt), "KubeVirt.DevicePlugin", "eth0");
        Assert.Equal(SriovCheckStatus.Pass, passed.Status);
        Assert.Equal("/etc/pcidp/config.json selects the 1 VFs of eth0 on vfio-pci (resource intel.com/sriov_eth0_vfio).", passed.Finding);

        tree.WriteFile(DevicePluginCheck.ConfigPath, "{ not json");
        Assert.StartsWith("/etc/pcidp/config.json is not the device plugin's JSON", One(Run(tree, consumer: SriovConsumer.KubeVirt), "KubeVirt.DevicePlugin", "eth0").Finding);
    }

    [Fact]
    public void Docker_fails_a_pf_that_is_down_even_without_vfs_and_names_its_repair()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        Assert.Equal(SriovCheckStatus.Warning, One(Run(tree), "Pf.LinkUp", "eth1").Status);
        var docker = One(Run(tree, consumer: SriovConsumer.Docker), "Pf.LinkUp", "eth1");
        Assert.Equal(SriovCheckStatus.Fail, docker.Status);
        Assert.EndsWith("its VFs carry no traffic while it is down.", docker.Finding);
        Assert.Equal(new HostRepair(HostRepairKind.PfLinkUp, "eth1"), docker.Repair);
    }

    [Fact]
    public void Summary_names_a_consumer_other_than_libvirt()
    {
        using var tree = HostTree.FromFixture("lab-igb");
        var checks = Run(tree, consumer: SriovConsumer.Docker);
        Assert.StartsWith("Test-SriovHost -For Docker: ", HostReadiness.Summary(checks, 0, SriovConsumer.Docker));
        Assert.StartsWith("Test-SriovHost: ", HostReadiness.Summary(checks, 0));
    }

    private static string Config(string driver, string pfName) =>
        "{\n  \"resourceList\": [\n    {\n      \"resourceName\": \"sriov_eth0_vfio\",\n      \"resourcePrefix\": \"intel.com\",\n      \"deviceType\": \"netDevice\",\n" +
        $"      \"selectors\": [ {{ \"vendors\": [\"8086\"], \"devices\": [\"10ca\"], \"drivers\": [\"{driver}\"], \"pfNames\": [\"{pfName}\"] }} ]\n    }}\n  ]\n}}\n";

    /// <summary>Moves a VF to vfio-pci as sysfs shows it: its driver link, and no interface any more.</summary>
    private static void BindToVfio(HostTree tree, string device, string interfaceName)
    {
        tree.Delete(device + "/driver");
        File.CreateSymbolicLink(tree.PathOf(device + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        tree.Delete(device + "/net");
        tree.Delete("/sys/class/net/" + interfaceName);
    }
}
