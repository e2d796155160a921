using System;
using System.IO;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Tests.Support;
using SriovPS.Values;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.VfDriver;

/// <summary>Rebinding a VF's driver and deciding when it is needed, on temporary host trees.</summary>
public sealed class VfRebindTests
{
    private const string Vf = "0000:04:10.4";

    private static readonly byte[] Admin = MacAddress.TryParse("02:53:52:00:03:05")!;

    private static SriovVf Vf5(string? driver, string? name, string mac) =>
        KernelLinkMapping.CreateVf("0000:04:00.0", Vf, "eno49", 5, new Native.Netlink.VfInfo { Index = 5, MacAddress = MacAddress.TryParse(mac) }, name, driver);

    [Theory]
    [InlineData(null, null, nameof(VfRebindNeed.NoDriver))]
    [InlineData("vfio-pci", null, nameof(VfRebindNeed.NotHere))]
    [InlineData("igbvf", null, nameof(VfRebindNeed.NotHere))]
    [InlineData("igbvf", "eth7", nameof(VfRebindNeed.Needed))]
    public void Assess_ByDriverAndInterface(string? driver, string? name, string expected)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/class/net/eth7/address", "16:ae:95:77:92:e9\n");
        tree.WriteFile("/sys/class/net/eth7/flags", "0x1002\n");

        Assert.Equal(expected, VfRebind.Assess(Vf5(driver, name, "02:53:52:00:03:05"), Admin, tree.Files).ToString());
    }

    [Theory]
    [InlineData("02:53:52:00:03:05", "02:53:52:00:03:05", nameof(VfRebindNeed.NotNeeded))]
    [InlineData("02:53:52:00:03:05", "16:ae:95:77:92:e9", nameof(VfRebindNeed.Needed))]
    [InlineData("00:00:00:00:00:00", "16:ae:95:77:92:e9", nameof(VfRebindNeed.NotNeeded))]
    [InlineData("02:53:52:00:03:05", null, nameof(VfRebindNeed.NotNeeded))]
    public void Assess_RebindsOnlyAnInterfaceWhoseAddressIsReadAndDiffers(string admin, string? carried, string expected)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/class/net/eth7/flags", "0x1002\n");
        if (carried is not null)
        {
            tree.WriteFile("/sys/class/net/eth7/address", carried + "\n");
        }

        Assert.Equal(expected, VfRebind.Assess(Vf5("igbvf", "eth7", admin), MacAddress.TryParse(admin), tree.Files).ToString());
    }

    [Theory]
    [InlineData("flags", "0x1003")]
    [InlineData("upper_macvtap0", null)]
    [InlineData("master", null)]
    public void Assess_AnInterfaceUpEnslavedOrUnderOtherDevices_IsInUse(string entry, string? flags)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/class/net/eth7/address", "16:ae:95:77:92:e9\n");
        tree.WriteFile("/sys/class/net/eth7/flags", (flags ?? "0x1002") + "\n");
        if (flags is null)
        {
            Directory.CreateDirectory(tree.PathOf("/sys/devices/virtual/net/bond0"));
            File.CreateSymbolicLink(tree.PathOf("/sys/class/net/eth7/" + entry), "../../devices/virtual/net/bond0");
        }

        Assert.Equal(VfRebindNeed.InUse.ToString(), VfRebind.Assess(Vf5("igbvf", "eth7", "02:53:52:00:03:05"), Admin, tree.Files).ToString());
    }

    [Fact]
    public void Rebind_WritesTheAddressToUnbindThenBind_AndReturnsTheInterface()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/unbind", "");
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/bind", "");
        tree.WriteFile($"/sys/bus/pci/devices/{Vf}/net/eth9/address", "02:53:52:00:03:05\n");

        string? name = new PciDriverBinding(tree.Files).Rebind(Vf, "igbvf", TimeSpan.Zero);

        Assert.Equal("eth9", name);
        Assert.Equal(Vf, File.ReadAllText(tree.PathOf("/sys/bus/pci/drivers/igbvf/unbind")));
        Assert.Equal(Vf, File.ReadAllText(tree.PathOf("/sys/bus/pci/drivers/igbvf/bind")));
    }

    [Fact]
    public void Rebind_WithoutAnInterface_WaitsBoundedAndReturnsNull()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/unbind", "");
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/bind", "");

        Assert.Null(new PciDriverBinding(tree.Files).Rebind(Vf, "igbvf", TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Rebind_WhenUnbindFails_ReportsItAndWritesNothingElse()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/bind", "");

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new PciDriverBinding(tree.Files).Rebind(Vf, "igbvf", TimeSpan.Zero));

        Assert.Equal(ErrorCatalog.VfRebindFailed, error.Id);
        Assert.Equal($"Could not unbind {Vf} from igbvf: writing /sys/bus/pci/drivers/igbvf/unbind failed with \"No such file or directory\".", error.Message);
        Assert.Null(error.Remedy);
        Assert.Equal("", File.ReadAllText(tree.PathOf("/sys/bus/pci/drivers/igbvf/bind")));
    }

    [Fact]
    public void Rebind_WhenBindFails_SaysTheDeviceIsLeftWithoutADriverAndHowToProbeIt()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/unbind", "");

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new PciDriverBinding(tree.Files).Rebind(Vf, "igbvf", TimeSpan.Zero));

        Assert.StartsWith($"Unbound {Vf} from igbvf but could not bind it again", error.Message);
        Assert.Equal($"The device has no driver now. Bind it with: echo {Vf} > /sys/bus/pci/drivers_probe", error.Remedy);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("igbvf/../../x")]
    public void Rebind_RefusesAPathForADriverName(string driver)
    {
        using var tree = HostTree.Empty();

        Assert.Throws<ArgumentException>(() => new PciDriverBinding(tree.Files).Rebind(Vf, driver, TimeSpan.Zero));
    }

    [Fact]
    public void WriteAttribute_NeverCreatesAFile()
    {
        using var tree = HostTree.Empty();

        Assert.Equal(Native.Errno.ENOENT, tree.Files.WriteAttribute("/sys/bus/pci", "drivers_probe", "x"u8));
        Assert.False(File.Exists(tree.PathOf("/sys/bus/pci/drivers_probe")));

        // A shorter value replaces a longer one whole.
        tree.WriteFile("/sys/bus/pci/drivers/igbvf/bind", "0000:04:10.4-and-more");
        Assert.Equal(0, tree.Files.WriteAttribute("/sys/bus/pci/drivers/igbvf", "bind", "0000:04:10.4"u8));
        Assert.Equal("0000:04:10.4", File.ReadAllText(tree.PathOf("/sys/bus/pci/drivers/igbvf/bind")));
    }
}
