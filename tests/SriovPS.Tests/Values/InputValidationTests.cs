using System.IO;
using System.Text;
using SriovPS.AppArmor;
using SriovPS.Boot;
using SriovPS.Errors;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.Values;

/// <summary>
/// Names checked against the host before anything is planned, so -WhatIf refuses what the change
/// would: driver names, -MaxVfs modules, device names that go into AppArmor rules; and a grub file
/// whose bytes are not all UTF-8 edited without losing one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InputValidationTests
{
    [Theory]
    [InlineData("vfio-pci\n")]
    [InlineData("igbvf\n")]
    [InlineData("vfio-pci\r\n")]
    public void DriverName_WithALineBreakAtTheEnd_IsRefused(string name)
    {
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfDriverName.Parse(name));

        Assert.Equal(ErrorCatalog.InvalidDriverName, e.Id);
    }

    [Fact]
    public void DriverName_IsResolvedAgainstTheHost()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        Assert.Equal("igbvf", VfDriverName.Resolve(tree.Files, "igbvf"));
        Assert.Equal("vfio-pci", VfDriverName.Resolve(tree.Files, "vfio_pci"));
        Assert.Equal("pci-stub", VfDriverName.Resolve(tree.Files, "pci_stub"));
        var e = SriovAssert.Throws(SriovErrorCategory.NotInstalled, () => VfDriverName.Resolve(tree.Files, "nosuchdrv"));
        Assert.Equal(ErrorCatalog.DriverNotAvailable, e.Id);
        Assert.Contains("could not be read", e.Message);
    }

    [Fact]
    public void DriverName_OfAModuleInstalledForTheRunningKernel_IsTakenAsGiven()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/proc/sys/kernel/osrelease", "6.8.0-40-generic\n");
        tree.WriteFile("/lib/modules/6.8.0-40-generic/modules.dep", "kernel/drivers/net/ethernet/intel/ixgbevf/ixgbevf.ko.zst:\n");

        Assert.Equal("ixgbevf", VfDriverName.Resolve(tree.Files, "ixgbevf"));
        var e = SriovAssert.Throws(SriovErrorCategory.NotInstalled, () => VfDriverName.Resolve(tree.Files, "iavf"));
        Assert.Contains("installed for the running kernel", e.Message);
    }

    [Theory]
    [InlineData("IGB=7", "igb")]
    [InlineData("Ixgbe-X=4", "ixgbe_x")]
    public void MaxVfs_ModuleName_IsLowerCase(string text, string module)
    {
        Assert.Equal(module, ModuleMaxVfs.Parse(text).Module);
    }

    [Fact]
    public void MaxVfs_ForAModuleTheHostDoesNotHave_IsRefused()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/sys/module/ixgbe/parameters/max_vfs", "0");

        ModuleMaxVfs.Parse("igb=7").CheckKnown(tree.Files, ["igb"]);
        ModuleMaxVfs.Parse("igbvf=1").CheckKnown(tree.Files, []);
        ModuleMaxVfs.Parse("ixgbe=7").CheckKnown(tree.Files, []);
        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => ModuleMaxVfs.Parse("igbx=7").CheckKnown(tree.Files, ["igb"]));

        Assert.Equal(ErrorCatalog.InvalidMaxVfs, e.Id);
        Assert.Contains("igbx.max_vfs=7 would be ignored", e.Message);
    }

    [Theory]
    [InlineData("0000:04:10.0", true)]
    [InlineData("10000:00:02.1", true)]
    [InlineData("0000:04:10.0\ncapability sys_admin,", false)]
    [InlineData("0000:04:10.0 ", false)]
    [InlineData("..", false)]
    public void AppArmor_DeviceName_MustBeAPciAddress(string device, bool valid)
    {
        Assert.Equal(valid, VfioAppArmor.IsDeviceName(device));
    }

    [Fact]
    public void AppArmor_AGroupWithACraftedDeviceName_IsRefused_AndTheOthersPlanned()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/sys/module/apparmor/parameters/enabled", "Y\n");
        tree.WriteFile("/etc/apparmor.d/abstractions/libvirt-qemu", "  #include <local/abstractions/libvirt-qemu>\n");

        var plan = VfioAppArmor.Plan(tree.Files, [new VfioGroupNeed(39, "0000:04:10.0\ncapability sys_admin,", "x"), new VfioGroupNeed(40, "0000:04:10.4", "y")], allGroups: false);

        var refusal = Assert.Single(plan.Refusals);
        Assert.Equal(ErrorCatalog.InvalidDeviceName, refusal.Id);
        Assert.DoesNotContain("sys_admin", plan.Local!.NewText);
        Assert.Contains("/dev/vfio/40 rw,", plan.Local.NewText);
        Assert.DoesNotContain("/dev/vfio/39", plan.Local.NewText);
    }

    [Fact]
    public void Grub_WithALatin1Comment_IsWrittenBackByteForByte()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/proc/cpuinfo", "vendor_id\t: GenuineIntel\n");
        byte[] before = Encoding.Latin1.GetBytes("# d\u00e9marrage\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        Directory.CreateDirectory(tree.PathOf("/etc/default"));
        File.WriteAllBytes(tree.PathOf("/etc/default/grub"), before);

        var plan = new HostRepairs(tree.Files, null).Iommu([], commandLine: true, modules: false, regenerate: false);
        PlanDriver.Run(plan, tree.Root);

        Assert.Equal(
            Encoding.Latin1.GetBytes("# d\u00e9marrage\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"),
            File.ReadAllBytes(tree.PathOf("/etc/default/grub")));
    }
}
