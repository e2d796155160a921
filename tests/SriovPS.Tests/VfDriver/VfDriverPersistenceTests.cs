using System.Collections.Generic;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.VfDriver;

/// <summary>
/// The udev lines that give VFs their driver at boot: exact text, every VF of a held PF covered,
/// the same request twice a no-op, Default removing what the module added, other lines kept.
/// </summary>
public sealed class VfDriverPersistenceTests
{
    private const string Pf = "0000:04:00.0";
    private const string AdminLine = "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"9c:dc:71:5e:0f:a0\", NAME=\"uplink0\"";
    private static readonly string[] Vfs = ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"];

    [Fact]
    public void Line_SetsTheOverrideThenProbesThenLoadsTheModule() =>
        Assert.Equal(
            "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:04:10.0\", ATTR{driver_override}=\"vfio-pci\", ATTR{subsystem/drivers_probe}=\"0000:04:10.0\", RUN{builtin}+=\"kmod load vfio-pci\"",
            UdevVfDriverRules.Line("0000:04:10.0", "vfio-pci"));

    [Fact]
    public void Plan_OneVfToVfio_HoldsAutoprobeAndGivesEveryVfALine()
    {
        using var tree = Tree();
        string existing = UdevVfRules.WithCount(null, Pf, 7, null) + AdminLine + "\n";

        var (text, warnings) = Plan(tree, existing, ("0000:04:10.0", "vfio-pci"));

        var expected = new List<string>
        {
            "# Written by SriovPS: Enable-SriovVf -Persist adds or updates a PF's line (its VF count, and",
            "# sriov_drivers_autoprobe when given), Disable-SriovVf -Persist removes it. Other lines are kept.",
            "# Set-SriovVfDriver -Persist adds a line per VF of a PF (its driver) and sets that PF's autoprobe to 0.",
            "# Set-SriovVf -Persist adds a line per VF that sets its MAC through its PF; -ClearMacAddress -Persist removes it.",
            "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_drivers_autoprobe}=\"0\", ATTR{device/sriov_numvfs}=\"7\"",
            AdminLine,
            UdevVfDriverRules.Line("0000:04:10.0", "vfio-pci"),
        };
        expected.AddRange(Vfs.Skip(1).Select(vf => UdevVfDriverRules.Line(vf, "igbvf")));
        Assert.Equal(string.Join("\n", expected) + "\n", text);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Plan_SameRequestAgain_LeavesTheTextAsItIs()
    {
        using var tree = Tree();
        var (first, _) = Plan(tree, UdevVfRules.WithCount(null, Pf, 7, null), ("0000:04:10.0", "vfio-pci"));

        var (second, _) = Plan(tree, first, ("0000:04:10.0", "vfio-pci"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Plan_SecondVfKeepsTheFirstVfsChoice()
    {
        using var tree = Tree();
        var (first, _) = Plan(tree, UdevVfRules.WithCount(null, Pf, 7, null), ("0000:04:10.0", "vfio-pci"));

        var (second, _) = Plan(tree, first, ("0000:04:10.4", "vfio-pci"));

        Assert.Equal("vfio-pci", UdevVfDriverRules.Find(second)["0000:04:10.0"]);
        Assert.Equal("vfio-pci", UdevVfDriverRules.Find(second)["0000:04:10.4"]);
        Assert.Equal("igbvf", UdevVfDriverRules.Find(second)["0000:04:11.0"]);
    }

    [Fact]
    public void Plan_DefaultForTheLastChosenVf_RemovesTheVfLinesAndTheAutoprobeHold()
    {
        using var tree = Tree();
        string start = UdevVfRules.WithCount(null, Pf, 7, null) + AdminLine + "\n";
        var (held, _) = Plan(tree, start, ("0000:04:10.0", "vfio-pci"));

        var (released, _) = Plan(tree, held, ("0000:04:10.0", null));

        Assert.Equal(start, released);
    }

    [Fact]
    public void Plan_WithoutALineCreatingTheVfs_AddsOneForThePresentCountAndSaysSo()
    {
        using var tree = Tree();

        var (text, warnings) = Plan(tree, null, ("0000:04:10.0", "vfio-pci"));

        Assert.Equal(new UdevVfRules.Entry(7, false), UdevVfRules.Find(text, Pf));
        Assert.Contains("recreating its 7 VFs at boot", Assert.Single(warnings));
    }

    [Fact]
    public void Plan_DefaultWhenNothingWasPersisted_LeavesNoFile()
    {
        using var tree = Tree();

        var (text, _) = Plan(tree, null, ("0000:04:10.0", null));

        Assert.Null(text);
    }

    [Fact]
    public void Plan_VfWithoutAMatchingModule_GetsNoLineAndAWarning()
    {
        using var tree = Tree();
        tree.Delete("/sys/bus/pci/devices/0000:04:13.0/modalias");

        var (text, warnings) = Plan(tree, UdevVfRules.WithCount(null, Pf, 7, null), ("0000:04:10.0", "vfio-pci"));

        Assert.False(UdevVfDriverRules.Find(text).ContainsKey("0000:04:13.0"));
        Assert.Contains("eno49 vf 6 gets no driver at boot", Assert.Single(warnings));
    }

    [Fact]
    public void With_KeepsForeignAndMalformedLinesAndOneLinePerVf()
    {
        string foreign = "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:04:10.0\", ATTR{driver_override}=\"vfio-pci\"";
        string text = foreign + "\n" + UdevVfDriverRules.Line("0000:04:10.0", "igbvf") + "\n" + UdevVfDriverRules.Line("0000:04:10.0", "igbvf") + "\n";

        string? updated = UdevVfDriverRules.With(text, new Dictionary<string, string?> { ["0000:04:10.0"] = "vfio-pci" });

        Assert.Equal(foreign + "\n" + UdevVfDriverRules.Line("0000:04:10.0", "vfio-pci") + "\n", updated);
    }

    private static (string? Text, List<string> Warnings) Plan(HostTree tree, string? text, params (string Vf, string? Driver)[] drivers)
    {
        var discovery = new SriovDiscovery(tree.Files);
        var pf = discovery.GetPfs().Single(p => p.Name == "eno49");
        return VfDriverPersistence.Plan(
            text, pf, discovery.GetVfs(pf), drivers.ToDictionary(d => d.Vf, d => d.Driver), new PciDriverAvailability(tree.Files));
    }

    private static HostTree Tree()
    {
        var tree = HostTree.FromFixture("i350-4port");
        VfDriverPlanTests.WithModuleAliases(tree);
        return tree;
    }
}
