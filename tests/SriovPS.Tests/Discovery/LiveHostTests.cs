using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Discovery;

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

    [SkippableFact]
    public void GetPfs_WithKernelState_TakesLinkStateMacAndMtuFromNetlinkOneRequestPerInterface()
    {
        Skip.IfNot(Directory.Exists("/sys/bus/pci/devices"), "this machine has no PCI sysfs");
        Skip.IfNot(IpCommand.IsInstalled, "iproute2's ip, which this test compares with, is not installed");
        var errors = new List<SriovException>();
        using var links = new KernelLinks(new CallbackReport(fail: errors.Add));

        var named = new SriovDiscovery(new HostFileSystem("/"), links: links)
            .GetPfs(includeNotCapable: true, kernelState: true)
            .Where(pf => pf.Name is not null)
            .ToList();
        Skip.If(named.Count == 0, "this machine has no PCI network interface");

        Assert.Empty(errors);
        Assert.Equal(named.Count, links.Requests);
        foreach (var pf in named)
        {
            var ip = IpCommand.Links(device: pf.Name)[0];
            Assert.Equal(ip.GetProperty("address").GetString(), pf.MacAddress);
            Assert.Equal(ip.GetProperty("mtu").GetInt32(), pf.Mtu);

            // The operational state may move between our read and ip's; either side of a change is right.
            var states = new[] { ip, IpCommand.Links(device: pf.Name)[0] }.Select(l => l.GetProperty("operstate").GetString());
            Assert.Contains(pf.LinkState?.ToString().ToUpperInvariant(), states);
        }
    }
}
