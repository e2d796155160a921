using System.IO;
using System.Linq;
using System.Text;
using SriovPS.Discovery;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Discovery;

public class PciIdDatabaseTests
{
    private const string Sample =
        "# comment\n#\tnot a device\n\n" +
        "8086  Intel Corporation\n" +
        "\t1521  I350 Gigabit Network Connection\n" +
        "\t\t103c 17d1  Ethernet 1Gb 4-port 366FLR Adapter\n" +
        "\t1520  I350 Ethernet Controller Virtual Function\n" +
        "15b3  Mellanox Technologies\n" +
        "\t1017  MT27800 Family [ConnectX-5]\n" +
        "\n# classes\n" +
        "C 02  Network controller\n" +
        "\t00  Ethernet controller\n";

    [Fact]
    public void Names_ComeFromVendorAndDeviceLines()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/ids", Sample);
        var ids = PciIdDatabase.FromFirstExisting([tree.PathOf("/ids")])!;

        Assert.Equal("Intel Corporation", ids.VendorName(0x8086));
        Assert.Equal("I350 Gigabit Network Connection", ids.DeviceName(0x8086, 0x1521));
        Assert.Equal("I350 Ethernet Controller Virtual Function", ids.DeviceName(0x8086, 0x1520));
        Assert.Equal("MT27800 Family [ConnectX-5]", ids.DeviceName(0x15b3, 0x1017));
    }

    [Fact]
    public void SubsystemLinesClassesAndUnknownIds_AreNoNames()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/ids", Sample);
        var ids = PciIdDatabase.FromFirstExisting([tree.PathOf("/ids")])!;

        Assert.Null(ids.DeviceName(0x8086, 0x103c));
        Assert.Null(ids.DeviceName(0x15b3, 0x1521));
        Assert.Null(ids.VendorName(0x0002));
        Assert.Null(ids.VendorName(0x1af4));
        Assert.Null(ids.DeviceName(0x1af4, 0x1000));
    }

    [Fact]
    public void AVendorIsFoundOnItsOwnLine_NotWhereItsDigitsStandAsADeviceOrAComment()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/ids", "#15b3  Not a vendor\n8086  Intel Corporation\n\t15b3  Not a vendor either\n\t1521  I350\n15b3  Mellanox Technologies\n\t1017  ConnectX-5\nC 15  Not a vendor\n15b4  After the classes\n");
        var ids = PciIdDatabase.FromFirstExisting([tree.PathOf("/ids")])!;

        Assert.Equal("Mellanox Technologies", ids.VendorName(0x15b3));
        Assert.Equal("ConnectX-5", ids.DeviceName(0x15b3, 0x1017));
        Assert.Null(ids.DeviceName(0x15b3, 0x1521));
        Assert.Equal("I350", ids.DeviceName(0x8086, 0x1521));
        Assert.Null(ids.VendorName(0x15b4));
        Assert.Null(ids.VendorName(0x0015));
    }

    [Fact]
    public void WindowsLineEndings_AreNotPartOfNames()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/ids", Sample.Replace("\n", "\r\n"));
        var ids = PciIdDatabase.FromFirstExisting([tree.PathOf("/ids")])!;

        Assert.Equal("Intel Corporation", ids.VendorName(0x8086));
        Assert.Equal("I350 Gigabit Network Connection", ids.DeviceName(0x8086, 0x1521));
    }

    [Fact]
    public void TruncatedOrHostileFile_YieldsWhatItCanWithoutThrowing()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/ids", "8086  Intel Corporation\n\t15\nzzzz  Not hex\n\t1521  I350\n\t\t\t\n8086\n" + new string('\t', 5000) + "\n15b3  Mellano");
        var ids = PciIdDatabase.FromFirstExisting([tree.PathOf("/ids")])!;

        Assert.Equal("Intel Corporation", ids.VendorName(0x8086));
        Assert.Equal("Mellano", ids.VendorName(0x15b3));
        Assert.Null(ids.DeviceName(0x8086, 0x1521));
    }

    [Fact]
    public void FirstExistingFile_IsReadOnceUntilItChanges()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/b", Sample);
        string[] paths = [tree.PathOf("/a"), tree.PathOf("/b")];

        var first = PciIdDatabase.FromFirstExisting(paths);
        var second = PciIdDatabase.FromFirstExisting(paths);
        File.WriteAllText(tree.PathOf("/b"), Sample.Replace("Intel Corporation", "Intel Corp."));
        File.SetLastWriteTimeUtc(tree.PathOf("/b"), System.DateTime.UtcNow.AddMinutes(1));
        var third = PciIdDatabase.FromFirstExisting(paths);

        Assert.Same(first, second);
        Assert.NotSame(first, third);
        Assert.Equal("Intel Corp.", third!.VendorName(0x8086));
    }

    [Fact]
    public void NoFile_IsNoDatabase_AndDiscoveryKeepsIdsAlone()
    {
        using var tree = HostTree.FromFixture("x540-2port");
        File.Delete(tree.PathOf("/usr/share/misc/pci.ids"));

        Assert.Null(PciIdDatabase.FromFirstExisting([tree.PathOf("/usr/share/misc/pci.ids"), tree.PathOf("/usr/share/hwdata/pci.ids")]));
        var pf = new SriovDiscovery(tree.Files, ids: null).GetPfs()[0];
        Assert.Equal(("0x8086", "0x1528"), (pf.VendorId, pf.DeviceId));
        Assert.Null(pf.VendorName);
        Assert.Null(pf.DeviceName);
    }

    [Fact]
    public void ForHost_PrefersTheTreesOwnFile()
    {
        using var tree = HostTree.FromFixture("x540-2port");

        var ids = PciIdDatabase.ForHost(tree.Files);

        Assert.Equal("Ethernet Controller 10-Gigabit X540-AT2", ids!.DeviceName(0x8086, 0x1528));
    }

    [Fact]
    public void ForHost_ATreeUnderALinkedDirectory_ReadsTheTreesOwnFile()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/share/misc/pci.ids", Sample.Replace("Intel Corporation", "Intel of this tree"));
        using var linked = new LinkedParent(tree);

        var ids = PciIdDatabase.ForHost(linked.Files);

        Assert.Equal("Intel of this tree", ids!.VendorName(0x8086));
        Assert.Equal("I350 Gigabit Network Connection", ids.DeviceName(0x8086, 0x1521));
    }

    [Theory]
    [InlineData("0x8086", true, 0x8086)]
    [InlineData("8086", true, 0x8086)]
    [InlineData("0X15B3", true, 0x15b3)]
    [InlineData("0x", false, 0)]
    [InlineData("0x123456", false, 0)]
    [InlineData(null, false, 0)]
    [InlineData("intel", false, 0)]
    public void TryParseId_ReadsSysfsAndBareIds(string? text, bool ok, int expected)
    {
        Assert.Equal(ok, PciIdDatabase.TryParseId(text, out int id));
        if (ok)
        {
            Assert.Equal(expected, id);
        }
    }
}

public class NetdevOwnerTests
{
    [Theory]
    [InlineData("../../devices/pci0000:00/0000:00:02.2/0000:04:10.0/net/enp4s16f0", "0000:04:10.0")]
    [InlineData("../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0", "0000:00:03.0")]
    [InlineData("../../devices/virtual/net/lo", null)]
    [InlineData("../../devices/virtual/net/veth12345678/", null)]
    [InlineData("eth0", null)]
    [InlineData("", null)]
    public void OwningPciAddress_FindsThePciFunctionOfAnInterface(string target, string? expected)
    {
        Assert.Equal(expected, SriovDiscovery.OwningPciAddress(Encoding.UTF8.GetBytes(target)));
    }

    [Fact]
    public void VfInterfaces_AreTheSameWhetherReadPerVfOrFromSysClassNet()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var discovery = new SriovDiscovery(tree.Files);
        var eno49 = discovery.GetPfs()[0];
        var perVf = discovery.GetVfs(eno49).Select(v => v.Name).ToList();

        // With few other interfaces on the host, discovery switches to one pass over /sys/class/net.
        foreach (var name in new[] { "lo", "eno50", "eno51", "eno52" })
        {
            File.Delete(tree.PathOf("/sys/class/net/" + name));
        }

        var fromClassNet = new SriovDiscovery(tree.Files).GetVfs(eno49).Select(v => v.Name).ToList();

        Assert.Equal(["enp4s16f0", "enp4s16f4", "enp4s17f0", "enp4s17f4", "enp4s18f0", "enp4s18f4", "enp4s19f0"], perVf);
        Assert.Equal(perVf, fromClassNet);
    }
}
