using System.IO;
using System.Linq;
using SriovPS.Host;
using SriovPS.Native.Sysfs;
using Xunit;

namespace SriovPS.Tests.Host;

/// <summary>Discovery on the machine the tests run on, checked against a plain walk of its sysfs.</summary>
public class LiveHostTests
{
    [SkippableFact]
    public void GetPfs_OnThisHost_ReportsExactlyTheNetworkFunctionsWithSriov()
    {
        const string devices = "/sys/bus/pci/devices";
        Skip.IfNot(Directory.Exists(devices), "this machine has no PCI sysfs");

        var expected = Directory.GetFileSystemEntries(devices)
            .Where(d => File.ReadAllText(Path.Combine(d, "class")).StartsWith("0x02", System.StringComparison.Ordinal))
            .Where(d => File.Exists(Path.Combine(d, "sriov_totalvfs")))
            .Select(Path.GetFileName)
            .Order(System.StringComparer.Ordinal);

        var found = new SriovDiscovery(new HostFileSystem("/")).GetPfs().Select(p => p.PciAddress);

        Assert.Equal(expected, found);
    }
}
