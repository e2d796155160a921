using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.VfCount;

/// <summary>
/// Finding what holds a PF's VFs, on the seeds' I350 host with VF 0 of eno49 (0000:04:10.0, IOMMU group
/// 39) moved to vfio-pci and processes faked under the tree's /proc the way the kernel shows them.
/// </summary>
public sealed class VfHolderScanTests
{
    private const string Vf0 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0";

    private static HostTree TreeWithVf0OnVfio()
    {
        var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Vf0 + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        RemoveInterface(tree);
        return tree;
    }

    /// <summary>Takes VF 0's interface out of this namespace, as moving it into a container does.</summary>
    private static void RemoveInterface(HostTree tree)
    {
        tree.Delete(Vf0 + "/net");
        tree.Delete("/sys/class/net/enp4s16f0");
    }

    private static void Process(HostTree tree, int pid, string commandLine, params (string Fd, string Target, string? Info)[] fds)
    {
        tree.WriteFile($"/proc/{pid}/cmdline", commandLine.Replace(' ', '\0') + "\0");
        Directory.CreateDirectory(tree.PathOf($"/proc/{pid}/fd"));
        foreach (var (fd, target, info) in fds)
        {
            File.CreateSymbolicLink(tree.PathOf($"/proc/{pid}/fd/{fd}"), target);
            tree.WriteFile($"/proc/{pid}/fdinfo/{fd}", info ?? "pos:\t0\nflags:\t02\n");
        }
    }

    private static System.Collections.Generic.List<VfHolder> Scan(HostTree tree)
    {
        var discovery = new SriovDiscovery(tree.Files);
        var pf = discovery.GetPfs().Single(p => p.Name == "eno49");
        return new VfHolderScan(tree.Files).Find(discovery.GetVfs(pf));
    }

    [Fact]
    public void AProcessWithTheVfsGroupOpen_IsNamedWithItsPidAndCommandLine()
    {
        using var tree = TreeWithVf0OnVfio();
        Process(tree, 4242, "qemu-system-x86_64 -name guest=z-k8s-n-1", ("0", "/dev/null", null), ("23", "/dev/vfio/39", null));
        Process(tree, 17, "sshd: root", ("3", "socket:[1234]", null));

        var holder = Assert.Single(Scan(tree));

        Assert.Equal((VfHoldKind.VfioGroup, 0, "0000:04:10.0", 4242), (holder.Kind, holder.VfIndex, holder.VfPciAddress, holder.ProcessId));
        Assert.Equal("PID 4242 (qemu-system-x86_64 -name guest=z-k8s-n-1) has /dev/vfio/39 open, the IOMMU group of vf 0 (0000:04:10.0)", holder.ToString());
    }

    [Fact]
    public void AVfioDeviceTheKernelNames_IsAttributedToItsVf_AndOtherDevicesAreNot()
    {
        using var tree = TreeWithVf0OnVfio();
        Process(tree, 500, "dpdk-testpmd", ("9", "anon_inode:[vfio-device]", "pos:\t0\nvfio-device-syspath: " + Vf0 + "\n"));
        Process(tree, 501, "other-vmm", ("9", "anon_inode:[vfio-device]", "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:1f.6\n"));

        var holder = Assert.Single(Scan(tree));

        Assert.Equal((VfHoldKind.VfioDevice, 0, 500), (holder.Kind, holder.VfIndex, holder.ProcessId));
        Assert.Contains("has vf 0 (0000:04:10.0) open through vfio", holder.ToString());
    }

    [Fact]
    public void AVfioDeviceTheKernelDoesNotName_CountsAgainstThePf_UnlessTheProcesssOtherGroupsExplainIt()
    {
        using var tree = TreeWithVf0OnVfio();
        tree.WriteFile("/sys/kernel/iommu_groups/12/devices/0000:00:1f.6", string.Empty);
        const string device = "anon_inode:[vfio-device]";
        Process(tree, 600, "helper", ("4", "/dev/vfio/vfio", null), ("5", device, null), ("6", "/dev/vfio/devices/vfio3", null));
        Process(tree, 601, "gpu-guest", ("4", "/dev/vfio/12", null), ("5", device, null));
        Process(tree, 602, "two-devices-one-group", ("4", "/dev/vfio/12", null), ("5", device, null), ("6", device, null));

        var holders = Scan(tree);

        Assert.Equal([600, 602], holders.Select(h => h.ProcessId!.Value));
        Assert.All(holders, h => Assert.Equal((VfHoldKind.VfioDevice, (int?)null), (h.Kind, h.VfIndex)));
        Assert.Contains("does not name; it may be a VF on vfio", holders[0].ToString());
    }

    [Fact]
    public void AVfOnAVfioVariantDriver_IsOnVfio_NotInAnotherNamespace()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Vf0 + "/driver"), "../../../../bus/pci/drivers/mlx5_vfio_pci");
        RemoveInterface(tree);

        Assert.Empty(Scan(tree));
    }

    [Fact]
    public void AVfARunningGuestHolds_IsNamedWithTheGuest_EvenWithNoProcessInSight()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var discovery = new SriovDiscovery(tree.Files);
        var pf = discovery.GetPfs().Single(p => p.Name == "eno49");

        var holders = new VfHolderScan(tree.Files).Find(discovery.GetVfs(pf), new System.Collections.Generic.Dictionary<string, string> { ["0000:04:10.4"] = "z-k8s-n-1" });

        var holder = Assert.Single(holders);
        Assert.Equal((VfHoldKind.LibvirtGuest, 1, "0000:04:10.4"), (holder.Kind, holder.VfIndex, holder.VfPciAddress));
        Assert.Equal("the running libvirt guest 'z-k8s-n-1' has vf 1 (0000:04:10.4)", holder.ToString());
    }

    [Fact]
    public void AVfWithItsNetDriverButNoInterfaceHere_IsInAnotherNamespace()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        RemoveInterface(tree);

        var holder = Assert.Single(Scan(tree));

        Assert.Equal((VfHoldKind.OtherNamespace, 0, (int?)null), (holder.Kind, holder.VfIndex, holder.ProcessId));
    }

    [Fact]
    public void AUioDeviceOpenByDpdk_IsAHolder()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Vf0 + "/driver"), "../../../../bus/pci/drivers/igb_uio");
        RemoveInterface(tree);
        Directory.CreateDirectory(tree.PathOf(Vf0 + "/uio/uio3"));
        Process(tree, 700, "dpdk-l2fwd -a 0000:04:10.0", ("11", "/dev/uio3", null));

        var holder = Assert.Single(Scan(tree));

        Assert.Equal((VfHoldKind.UioDevice, 0, 700, "/dev/uio3"), (holder.Kind, holder.VfIndex, holder.ProcessId, holder.Path));
    }

    [Fact]
    public void VfsAllOnTheirNetDriver_WithInterfacesHere_HaveNoHolders_AndNoProcessIsRead()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        // Without a vfio VF, /dev/vfio/39 is no group of ours: the scan never reads /proc.
        Process(tree, 800, "stale", ("3", "/dev/vfio/39", null));

        Assert.Empty(Scan(tree));
    }
}
