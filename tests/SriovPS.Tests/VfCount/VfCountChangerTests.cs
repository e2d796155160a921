using System;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.VfCount;

/// <summary>
/// The count change on a copied tree, where sysfs attributes are plain files: it refuses by itself
/// (not only in the cmdlet) while VFs are held, and writes autoprobe alone when only that changes.
/// </summary>
public sealed class VfCountChangerTests
{
    private const string Eno49 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0";
    private const string Vf0 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0";

    [Fact]
    public void Apply_WhileAProcessHoldsAVfsGroup_RefusesAndWritesNothing()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Vf0 + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        tree.Delete(Vf0 + "/net");
        tree.Delete("/sys/class/net/enp4s16f0");
        tree.WriteFile("/proc/4242/cmdline", "qemu-system-x86_64\0-name\0guest=vm1\0");
        Directory.CreateDirectory(tree.PathOf("/proc/4242/fd"));
        File.CreateSymbolicLink(tree.PathOf("/proc/4242/fd/23"), "/dev/vfio/39");
        var discovery = new SriovDiscovery(tree.Files);
        var plan = VfCountPlan.For(discovery.GetPfs().Single(p => p.Name == "eno49"), 3, driversAutoprobe: false);

        var error = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, 
            () => new VfCountChanger(tree.Files, discovery, null).Apply(plan, preserveSettings: false, TimeSpan.FromSeconds(1)));

        Assert.Equal((ErrorCatalog.VfsInUse, SriovErrorCategory.ResourceBusy), (error.Id, error.Category));
        Assert.Contains("eno49's 7 VFs cannot be re-created as 3 while they are in use, so nothing was changed:", error.Message);
        Assert.Contains("PID 4242 (qemu-system-x86_64 -name guest=vm1) has /dev/vfio/39 open", error.Message);
        Assert.Equal("7\n", File.ReadAllText(tree.PathOf(Eno49 + "/sriov_numvfs")));
        Assert.Equal("1\n", File.ReadAllText(tree.PathOf(Eno49 + "/sriov_drivers_autoprobe")));
    }

    [Fact]
    public void Apply_WithOnlyAutoprobeChanged_WritesAutoprobeAlone()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var discovery = new SriovDiscovery(tree.Files);
        var plan = VfCountPlan.For(discovery.GetPfs().Single(p => p.Name == "eno49"), 7, driversAutoprobe: false);

        var outcome = new VfCountChanger(tree.Files, discovery, null).Apply(plan, preserveSettings: true, TimeSpan.FromSeconds(1));

        Assert.Empty(outcome.Failures);
        Assert.Equal("0", File.ReadAllText(tree.PathOf(Eno49 + "/sriov_drivers_autoprobe")));
        Assert.Equal("7\n", File.ReadAllText(tree.PathOf(Eno49 + "/sriov_numvfs")));
    }
}
