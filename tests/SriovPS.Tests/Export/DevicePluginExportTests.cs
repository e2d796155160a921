using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using SriovPS.Errors;
using SriovPS.Export;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Export;

/// <summary>
/// The device plugin's config.json from fixture hosts: parsed with System.Text.Json, and evaluated the
/// way the plugin evaluates it, which must select exactly the VFs exported.
/// </summary>
public sealed class DevicePluginExportTests
{
    private static readonly ExportRequest DevicePlugin = new(SriovExportFormat.DevicePlugin);

    [Fact]
    public void TheLabCapture_GivesOneResourcePerDriverKind_WithTheVfsDeviceId()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        using var config = JsonDocument.Parse(run.Export(DevicePlugin with { ResourcePrefix = "example.com" }));

        var resources = config.RootElement.GetProperty("resourceList").EnumerateArray().ToList();
        Assert.Equal(["sriov_eth0_netdevice", "sriov_eth0_vfio"], resources.Select(r => r.GetProperty("resourceName").GetString()));
        Assert.All(resources, r =>
        {
            Assert.Equal("example.com", r.GetProperty("resourcePrefix").GetString());
            Assert.Equal("netDevice", r.GetProperty("deviceType").GetString());
            var selector = Assert.Single(r.GetProperty("selectors").EnumerateArray().ToList());
            Assert.Equal(["8086"], Strings(selector, "vendors"));
            // The 82576's VFs are 10ca; the PF is 10c9.
            Assert.Equal(["10ca"], Strings(selector, "devices"));
        });
        var kernel = resources[0].GetProperty("selectors")[0];
        Assert.Equal(["igbvf"], Strings(kernel, "drivers"));
        Assert.Equal(["eth0#1-6"], Strings(kernel, "pfNames"));
        Assert.Equal(["ether"], Strings(kernel, "linkTypes"));
        var vfio = resources[1].GetProperty("selectors")[0];
        Assert.Equal(["vfio-pci"], Strings(vfio, "drivers"));
        Assert.Equal(["eth0#0"], Strings(vfio, "pfNames"));
        Assert.False(vfio.TryGetProperty("linkTypes", out _));
    }

    [Fact]
    public void AKernelThatDoesNotGiveTheVfsDeviceId_HasItReadFromAVf()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var pf = run.Session.AllPfs().Single(p => p.Name == "eth0");
        run.Tree.Delete($"/sys/bus/pci/devices/{pf.PciAddress}/sriov_vf_device");
        run.Session.ForgetPfs();

        using var config = JsonDocument.Parse(run.Export(DevicePlugin));

        Assert.All(config.RootElement.GetProperty("resourceList").EnumerateArray(), r => Assert.Equal(["10ca"], Strings(r.GetProperty("selectors")[0], "devices")));
    }

    [Fact]
    public void KernelDriverVfsAroundAVfioOne_StayOneResource_WithTheirIndexesInOneEntry()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        string vf3 = run.Session.VfsOf(run.Session.AllPfs().Single(p => p.Name == "eth0"))[3].PciAddress;
        run.MoveVf(vf3, "vfio-pci");

        using var config = JsonDocument.Parse(run.Export(DevicePlugin));

        var resources = config.RootElement.GetProperty("resourceList").EnumerateArray().ToList();
        Assert.Equal(["eth0#1-2,4-6"], Strings(resources[0].GetProperty("selectors")[0], "pfNames"));
        Assert.Equal(["eth0#0,3"], Strings(resources[1].GetProperty("selectors")[0], "pfNames"));
    }

    public static TheoryData<string, SriovExportGrouping> Hosts => new()
    {
        { "lab-igb", SriovExportGrouping.Pf },
        { "lab-igb", SriovExportGrouping.Vf },
        { "i350-4port", SriovExportGrouping.Pf },
        { "i350-4port", SriovExportGrouping.Host },
        { "i350-4port", SriovExportGrouping.Vf },
        { "connectx5", SriovExportGrouping.Pf },
        { "connectx5", SriovExportGrouping.Host },
        { "connectx5", SriovExportGrouping.Vf },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void TheSelectors_AsThePluginEvaluatesThem_SelectExactlyTheVfsOfEachResource(string fixture, SriovExportGrouping grouping)
    {
        using var run = new ExportRun(HostTree.FromFixture(fixture));
        var request = DevicePlugin with { Grouping = grouping };
        var expected = ExpectedResources(run, request);

        var selected = DevicePluginSelectors.Evaluate(run.Export(request), run.PluginDevices());

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(), selected.Keys.Order());
        foreach (var (name, addresses) in expected)
        {
            Assert.Equal(addresses.Order(), selected[name].Order());
        }
    }

    [Fact]
    public void SomeVfsPiped_AreAllThatIsSelected_AcrossTwoPfs()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));
        var vfs = new Dictionary<string, int[]> { ["eno49"] = [0, 2, 3, 6], ["eno51"] = [5] };
        var request = DevicePlugin with { Grouping = SriovExportGrouping.Host, ResourceName = "intel_sriov_netdevice" };

        string json = run.Export(request, vfs);
        var selected = DevicePluginSelectors.Evaluate(json, run.PluginDevices());

        var taken = Assert.Single(selected);
        Assert.Equal("intel_sriov_netdevice", taken.Key);
        var pfs = run.Session.AllPfs();
        var expected = vfs.SelectMany(v => run.Session.VfsOf(pfs.Single(p => p.Name == v.Key)).Where(vf => v.Value.Contains(vf.Index)).Select(vf => vf.PciAddress));
        Assert.Equal(expected.Order(), taken.Value.Order());
        using var config = JsonDocument.Parse(json);
        Assert.Equal(["eno49#0,2-3,6", "eno51#5"], Strings(config.RootElement.GetProperty("resourceList")[0].GetProperty("selectors")[0], "pfNames"));
    }

    [Fact]
    public void AVfWithoutADriver_IsLeftOut_AndSaidSo()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        string vf2 = run.Session.VfsOf(run.Session.AllPfs().Single(p => p.Name == "eth0"))[2].PciAddress;
        System.IO.File.Delete(run.Tree.PathOf($"/sys/bus/pci/devices/{vf2}/driver"));

        using var config = JsonDocument.Parse(run.Export(DevicePlugin));

        Assert.Equal(["eth0#1,3-6"], Strings(config.RootElement.GetProperty("resourceList")[0].GetProperty("selectors")[0], "pfNames"));
        Assert.Contains(run.Warnings, w => w.StartsWith("eth0 VF 2 (", System.StringComparison.Ordinal) && w.Contains("has no driver bound", System.StringComparison.Ordinal));
    }

    [Fact]
    public void AVfHoldingTheDefaultRoute_IsLeftOut_AsThePluginWouldNeverOfferIt()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var vf4 = run.Session.VfsOf(run.Session.AllPfs().Single(p => p.Name == "eth0"))[4];
        Assert.NotNull(vf4.Name);
        run.Tree.WriteFile("/proc/net/route", $"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n{vf4.Name}\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");

        using var config = JsonDocument.Parse(run.Export(DevicePlugin));

        Assert.Equal(["eth0#1-3,5-6"], Strings(config.RootElement.GetProperty("resourceList")[0].GetProperty("selectors")[0], "pfNames"));
        Assert.Contains(run.Warnings, w => w.Contains("default route", System.StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bad-name")]
    [InlineData("_leading")]
    [InlineData("trailing_")]
    [InlineData("dotted.name")]
    public void ABadResourceName_IsRefused_NamingTheRule(string name)
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(DevicePlugin with { ResourceName = name }));

        Assert.Equal(nameof(ErrorCatalog.InvalidResourceName), e.ErrorId);
        Assert.Contains(ExportNames.ResourceNameRule, e.Message);
    }

    [Fact]
    public void AResourceNameOfMoreThan63Characters_IsRefused()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(DevicePlugin with { ResourceName = new string('a', 64) }, new() { ["eth0"] = [1] }));

        Assert.Equal(nameof(ErrorCatalog.InvalidResourceName), e.ErrorId);
    }

    [Fact]
    public void AResourceName_ForVfsThatMakeSeveralResources_IsRefused_RatherThanGivenToOneOfThem()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(DevicePlugin with { ResourceName = "pool" }));

        Assert.Equal(nameof(ErrorCatalog.InvalidExportArgument), e.ErrorId);
        Assert.Contains("these VFs make 2 (sriov_eth0_netdevice, sriov_eth0_vfio)", e.Message);
    }

    [Fact]
    public void AResourceName_ForTheVfsOfOneResource_NamesIt()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        using var config = JsonDocument.Parse(run.Export(DevicePlugin with { ResourceName = "pool" }, new() { ["eth0"] = [2, 3] }));

        Assert.Equal("pool", Assert.Single(config.RootElement.GetProperty("resourceList").EnumerateArray().ToList()).GetProperty("resourceName").GetString());
    }

    [Fact]
    public void AVfOnAUserSpaceDriver_IsLeftOut_AndSaidSo()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        run.MoveVf(run.Session.VfsOf(run.Session.AllPfs().Single(p => p.Name == "eth0"))[6].PciAddress, "uio_pci_generic");

        using var config = JsonDocument.Parse(run.Export(DevicePlugin));

        Assert.Equal(["eth0#1-5"], Strings(config.RootElement.GetProperty("resourceList")[0].GetProperty("selectors")[0], "pfNames"));
        Assert.Contains(run.Warnings, w => w.StartsWith("eth0 VF 6 (", System.StringComparison.Ordinal) && w.Contains("is on uio_pci_generic", System.StringComparison.Ordinal));
    }

    [Fact]
    public void VfIndexesThePfDoesNotHave_AreReported_AndLeaveNothingToExport()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => run.Export(DevicePlugin, new() { ["eth0"] = [7, 9] }));

        Assert.Equal(nameof(ErrorCatalog.NothingToExport), e.ErrorId);
        Assert.Contains("none of the VFs given is on the host", e.Message);
        Assert.Equal([nameof(ErrorCatalog.SriovVfNotFound), nameof(ErrorCatalog.SriovVfNotFound)], run.Failures.Select(f => f.ErrorId));
        Assert.DoesNotContain(run.Warnings, w => w.Contains("has no VFs", System.StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Intel.com")]
    [InlineData("intel_com")]
    [InlineData("-intel.com")]
    [InlineData("kubernetes.io")]
    [InlineData("devices.k8s.io")]
    public void ABadResourcePrefix_IsRefused(string prefix)
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(DevicePlugin with { ResourcePrefix = prefix }));

        Assert.Equal(nameof(ErrorCatalog.InvalidExportArgument), e.ErrorId);
        Assert.StartsWith($"-ResourcePrefix '{prefix}' is not valid", e.Message);
    }

    // What each resource should hold, worked out here from the VFs: by PF (or not) and driver kind.
    private static Dictionary<string, List<string>> ExpectedResources(ExportRun run, ExportRequest request)
    {
        var expected = new Dictionary<string, List<string>>();
        foreach (var pf in run.Session.AllPfs().Where(p => p.NumVfs > 0))
        {
            foreach (var vf in run.Session.VfsOf(pf).Where(v => v.Driver is not null))
            {
                string kind = vf.Driver == "vfio-pci" ? "vfio" : "netdevice";
                string name = request.Grouping switch
                {
                    SriovExportGrouping.Host => $"sriov_{kind}",
                    SriovExportGrouping.Vf => $"sriov_{pf.Name}_vf{vf.Index}",
                    _ => $"sriov_{pf.Name}_{kind}",
                };
                if (!expected.TryGetValue(name, out var list))
                {
                    expected[name] = list = [];
                }

                list.Add(vf.PciAddress);
            }
        }

        return expected;
    }

    private static List<string?> Strings(JsonElement selector, string name) =>
        selector.GetProperty(name).EnumerateArray().Select(v => v.GetString()).ToList();
}
