using System.Linq;
using System.Xml.Linq;
using SriovPS.Errors;
using SriovPS.Export;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Export;

/// <summary>nmstate's desired state and libvirt's network XML for the PFs exported, read back with real parsers.</summary>
public sealed class NmstateLibvirtExportTests
{
    [Fact]
    public void Nmstate_ListsEveryVf_AndTheCountTheyAreNow()
    {
        using var run = new ExportRun(HostTree.FromFixture("connectx5"));

        var state = YamlDocuments.Single(run.Export(new ExportRequest(SriovExportFormat.Nmstate)));

        var pf = Assert.Single(state["interfaces"]!.AsArray())!;
        Assert.Equal("enp10s0f0np0", (string?)pf["name"]);
        Assert.Equal("ethernet", (string?)pf["type"]);
        Assert.Equal("up", (string?)pf["state"]);
        var sriov = pf["ethernet"]!["sr-iov"]!;
        Assert.Equal(8, (int)sriov["total-vfs"]!);
        Assert.Equal(Enumerable.Range(0, 8), sriov["vfs"]!.AsArray().Select(v => (int)v!["id"]!));
        // Not read on a copied tree, so not written: the addresses are not known either.
        Assert.Null(pf["ipv4"]);
        Assert.Contains(run.Warnings, w => w.Contains("addresses were not read", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Nmstate_OfSomeVfs_StillListsEveryVfOfTheirPf()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));

        var state = YamlDocuments.Single(run.Export(new ExportRequest(SriovExportFormat.Nmstate), new() { ["eno50"] = [2] }));

        var pf = Assert.Single(state["interfaces"]!.AsArray())!;
        Assert.Equal("eno50", (string?)pf["name"]);
        Assert.Equal(7, pf["ethernet"]!["sr-iov"]!["vfs"]!.AsArray().Count);
    }

    [Fact]
    public void LibvirtNetwork_OfAWholePf_NamesThePf()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var network = XElement.Parse(Assert.Single(run.Documents(new ExportRequest(SriovExportFormat.LibvirtNetwork))).Text);

        Assert.Equal("eth0-sr-iov", (string?)network.Element("name"));
        var forward = network.Element("forward")!;
        Assert.Equal("hostdev", (string?)forward.Attribute("mode"));
        Assert.Equal("eth0", (string?)forward.Element("pf")!.Attribute("dev"));
    }

    [Fact]
    public void LibvirtNetwork_OfSomeVfs_ListsTheirAddresses_AndNetworkNameMakesOneOfSeveralPfs()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));
        var request = new ExportRequest(SriovExportFormat.LibvirtNetwork) { NetworkName = "tenant-pool" };

        var document = Assert.Single(run.Documents(request, new() { ["eno49"] = [0, 1], ["eno52"] = [6] }));

        var network = XElement.Parse(document.Text);
        Assert.Equal("tenant-pool", (string?)network.Element("name"));
        var pfs = run.Session.AllPfs();
        string[] expected = [.. run.Session.VfsOf(pfs.Single(p => p.Name == "eno49")).Take(2).Select(v => v.PciAddress), run.Session.VfsOf(pfs.Single(p => p.Name == "eno52"))[6].PciAddress];
        Assert.Equal(["0000:04:10.0", "0000:04:10.4", "0000:04:13.3"], expected);
        Assert.Equal(
            expected,
            network.Element("forward")!.Elements("address").Select(a =>
                $"{a.Attribute("domain")!.Value[2..]}:{a.Attribute("bus")!.Value[2..]}:{a.Attribute("slot")!.Value[2..]}.{a.Attribute("function")!.Value[2..]}"));
    }

    [Fact]
    public void LibvirtNetwork_WithoutANetworkName_GivesOneNetworkPerPf()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));

        var documents = run.Documents(new ExportRequest(SriovExportFormat.LibvirtNetwork));

        Assert.Equal(["eno49-sr-iov", "eno50-sr-iov", "eno51-sr-iov", "eno52-sr-iov"], documents.Select(d => d.Name));
    }

    [Fact]
    public void LibvirtNetwork_OfVfsThePfDoesNotHave_IsNotWritten_AsItWouldListNoVf()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => run.Documents(new ExportRequest(SriovExportFormat.LibvirtNetwork), new() { ["eth0"] = [9] }));

        Assert.Contains("the network 'eth0-sr-iov' would list no VF", e.Message);
    }

    [Fact]
    public void AHostWithoutVfs_HasNothingToExport()
    {
        using var run = new ExportRun(HostTree.FromFixture("e810-nodriver"));

        var e = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => run.Export(new ExportRequest(SriovExportFormat.DevicePlugin)));

        Assert.Equal(nameof(ErrorCatalog.NothingToExport), e.ErrorId);
    }
}
