using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.VfDriver;

/// <summary>Whether a driver binds a new VF by itself, from the kernel's module aliases, on temporary roots.</summary>
public sealed class PciDriverAvailabilityTests
{
    private const string Vf = "0000:04:10.0";
    private const string Modalias = "pci:v00008086d00001520sv0000103Csd000017D1bc02sc00i00";

    private static HostTree Tree()
    {
        var tree = HostTree.Empty();
        tree.WriteFile("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        tree.WriteFile($"/sys/bus/pci/devices/{Vf}/modalias", Modalias + "\n");
        tree.WriteFile(
            "/lib/modules/6.1.0-28-amd64/modules.alias",
            "# Aliases extracted from modules themselves.\n" +
            "alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf\n" +
            "alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n" +
            "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n" +
            "alias net-pf-16-proto-0 netlink\n");
        return tree;
    }

    [Theory]
    [InlineData("pci:v00008086d00001520sv*sd*bc*sc*i*", Modalias, true)]
    [InlineData("pci:v00008086d000010CAsv*sd*bc*sc*i*", Modalias, false)]
    [InlineData("pci:v*d*sv*sd*bc02sc00i*", Modalias, true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a*", "", false)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    public void WildcardMatch_AsModprobeMatchesAliases(string pattern, string text, bool expected) =>
        Assert.Equal(expected, PciDriverAvailability.WildcardMatch(pattern, text));

    [Fact]
    public void AMatchingModuleThatIsLoaded_Binds()
    {
        using var tree = Tree();
        tree.WriteFile("/sys/module/igbvf/refcnt", "0\n");

        Assert.True(new PciDriverAvailability(tree.Files).WillBind(Vf));
    }

    [Fact]
    public void AMatchingModuleNotLoaded_BindsOnlyWhenUdevRunsToLoadIt()
    {
        using var tree = Tree();
        Assert.False(new PciDriverAvailability(tree.Files).WillBind(Vf));

        tree.WriteFile("/run/udev/control", string.Empty);
        Assert.True(new PciDriverAvailability(tree.Files).WillBind(Vf));
    }

    [Fact]
    public void ABuiltInDriver_Binds()
    {
        using var tree = Tree();
        tree.WriteFile("/lib/modules/6.1.0-28-amd64/modules.alias", string.Empty);
        tree.WriteFile("/lib/modules/6.1.0-28-amd64/modules.builtin.modinfo", "igbvf.license=GPL\0igbvf.alias=pci:v00008086d00001520sv*sd*bc*sc*i*\0");

        Assert.True(new PciDriverAvailability(tree.Files).WillBind(Vf));
    }

    [Fact]
    public void NoMatchingDriver_OrNoModalias_DoesNotBind()
    {
        using var tree = Tree();
        tree.WriteFile("/run/udev/control", string.Empty);
        tree.WriteFile("/sys/bus/pci/devices/0000:04:10.4/modalias", "pci:v000015B3d0000101Esv*\n");

        Assert.False(new PciDriverAvailability(tree.Files).WillBind("0000:04:10.4"));
        Assert.False(new PciDriverAvailability(tree.Files).WillBind("0000:04:11.0"));
    }
}
