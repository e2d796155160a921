using System.IO;
using System.Linq;
using SriovPS.Native.Files;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Fixtures;

public class HostTreeCaptureTests
{
    [Theory]
    [InlineData("i350-4port")]
    [InlineData("connectx5")]
    [InlineData("virtio-vm")]
    public void CaptureOfAMaterializedFixture_DiscoversTheSame(string fixture)
    {
        using var tree = HostTree.FromFixture(fixture);
        using var copy = HostTree.Empty();
        string manifest = Path.Combine(copy.Root, "..", Path.GetFileName(copy.Root) + ".hosttree");
        try
        {
            File.WriteAllText(manifest, HostTreeManifest.Format(SnapshotFiles.Capture(tree.Files).Entries, ["test"]));
            HostTreeManifest.Materialize(manifest, copy.Root);

            string Describe(HostTree t)
            {
                var discovery = new SriovPS.Discovery.SriovDiscovery(t.Files);
                var pfs = discovery.GetPfs(includeNotCapable: true);
                return string.Join("\n", pfs.Select(p =>
                    $"{p.Name} {p.PciAddress} {p.Driver} {p.VendorId} {p.DeviceId} {p.TotalVfs} {p.NumVfs} {p.LinkState} {p.MacAddress} {p.Mtu} {p.NumaNode} {p.IommuGroup} {p.DriversAutoprobe} {p.SriovSupport}: " +
                    string.Join(", ", discovery.GetVfs(p).Select(v => $"{v.Index} {v.PciAddress} {v.Name} {v.Driver} {v.IommuGroup}"))));
            }

            Assert.Equal(Describe(tree), Describe(copy));
            Assert.NotEmpty(Describe(tree));
        }
        finally
        {
            File.Delete(manifest);
        }
    }

    [Fact]
    public void Capture_KeepsOnlyWhatSriovPsReads()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/config", "\u0001binary");
        tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/remove", "");

        var entries = SnapshotFiles.Capture(tree.Files).Entries;
        var paths = entries.Select(e => e.Path).ToList();

        Assert.Contains("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/sriov_totalvfs", paths);
        Assert.Contains("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/virtfn6", paths);
        Assert.Contains("/proc/cmdline", paths);
        Assert.DoesNotContain("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/config", paths);
        Assert.DoesNotContain("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/remove", paths);
        Assert.DoesNotContain("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/subsystem", paths);
        // pci.ids only with the lines of the functions there are: Intel's I350, not the other vendors of the file.
        string names = entries.Single(e => e.Path == "/usr/share/misc/pci.ids").Value;
        Assert.Contains("8086  Intel Corporation\n", names);
        Assert.Contains("\t1521  I350 Gigabit Network Connection\n", names);
        Assert.DoesNotContain("Hewlett-Packard", names);
    }

    [Theory]
    [InlineData("/sys/bus/pci/devices", "../../../devices/pci0000:00/0000:00:02.2", "/sys/devices/pci0000:00/0000:00:02.2")]
    [InlineData("/sys/class/net", "../../devices/virtual/net/lo", "/sys/devices/virtual/net/lo")]
    [InlineData("/a", "./b/../c", "/a/c")]
    [InlineData("/a", "../../../x", "/x")]
    public void Resolve_JoinsRelativeTargets(string directory, string target, string expected)
    {
        Assert.Equal(expected, SnapshotReductions.Resolve(directory, target));
    }
}
