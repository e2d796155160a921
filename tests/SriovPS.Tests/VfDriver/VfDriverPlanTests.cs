using System;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.VfDriver;

/// <summary>
/// Which VFs change driver, judged from sysfs on the seeds' I350 tree: the same request twice finds
/// nothing, a split IOMMU group is refused with the devices named, and nothing is ever written.
/// </summary>
public sealed class VfDriverPlanTests
{
    private const string Vf0 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0";
    private const string Vf1 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.4";

    [Theory]
    [InlineData("Default", null)]
    [InlineData("default", null)]
    [InlineData("vfio-pci", "vfio-pci")]
    [InlineData("mlx5_vfio_pci", "mlx5_vfio_pci")]
    public void Parse_AcceptsDriverNamesAndDefault(string value, string? expected) =>
        Assert.Equal(expected, VfDriverName.Parse(value));

    [Theory]
    [InlineData("")]
    [InlineData("../vfio-pci")]
    [InlineData("vfio/pci")]
    [InlineData("vfio pci")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Parse_RefusesWhatCouldNameAPath(string value)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfDriverName.Parse(value));
        Assert.Equal(ErrorCatalog.InvalidDriverName, error.Id);
    }

    [Fact]
    public void For_VfOnItsNetDriver_PlansOverrideUnbindAndProbe()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var plan = Plan(tree, "vfio-pci", 0);

        var move = Assert.Single(plan.Moves);
        Assert.Empty(plan.Refusals);
        Assert.Equal(("vfio-pci", true, null), (move.Override, move.Reprobe, move.CurrentOverride));
        Assert.Equal("bind to vfio-pci (now igbvf): driver_override=vfio-pci, unbind from igbvf, drivers_probe", move.Action);
        Assert.Equal("0000:04:10.0 (eno49 vf 0)", move.Label);
    }

    [Fact]
    public void For_VfAlreadyOnVfioWithItsOverride_FindsNothingToDo()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        OnVfio(tree, Vf0);
        tree.WriteFile(Vf0 + "/driver_override", "vfio-pci\n");

        var plan = Plan(tree, "vfio-pci", 0);

        Assert.Empty(plan.Moves);
        Assert.Equal("vfio-pci", Assert.Single(plan.Unchanged).CurrentOverride);
    }

    [Fact]
    public void For_VfOnVfioWithoutOverride_OnlyWritesTheOverride()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        OnVfio(tree, Vf0);
        tree.WriteFile(Vf0 + "/driver_override", "(null)\n");

        var move = Assert.Single(Plan(tree, "vfio-pci", 0).Moves);

        Assert.False(move.Reprobe);
        Assert.Equal("set driver_override to vfio-pci (already bound to vfio-pci)", move.Action);
    }

    [Fact]
    public void For_GroupSharedWithAVfNotMoved_RefusesNamingIt()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        File.CreateSymbolicLink(tree.PathOf("/sys/kernel/iommu_groups/39/devices/0000:04:10.4"), "../../../../devices/pci0000:00/0000:00:02.2/0000:04:10.4");

        var plan = Plan(tree, "vfio-pci", 0);

        Assert.Empty(plan.Moves);
        var error = Assert.Single(plan.Refusals);
        Assert.Equal((ErrorCatalog.IommuGroupShared, SriovErrorCategory.InvalidOperation), (error.Id, error.Category));
        Assert.Equal(
            "eno49 vf 0 shares IOMMU group 39 with 0000:04:10.4 (igbvf, enp4s16f4); vfio hands a whole group to one user, so the VF cannot move alone and nothing was changed for it.",
            error.Message);
    }

    [Fact]
    public void For_GroupSharedWithAVfMovedAlongAndABridge_PlansBoth()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        File.CreateSymbolicLink(tree.PathOf("/sys/kernel/iommu_groups/39/devices/0000:04:10.4"), "../../../../devices/pci0000:00/0000:00:02.2/0000:04:10.4");
        File.CreateSymbolicLink(tree.PathOf("/sys/kernel/iommu_groups/39/devices/0000:00:02.2"), "../../../../devices/pci0000:00/0000:00:02.2");
        tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/class", "0x060400\n");

        var plan = Plan(tree, "vfio-pci", 0, 1);

        Assert.Empty(plan.Refusals);
        Assert.Equal(2, plan.Moves.Count);
    }

    [Fact]
    public void For_VfioWithoutIommu_RefusesWithTheRemedy()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        tree.Delete(Vf0 + "/iommu_group");

        var error = Assert.Single(Plan(tree, "vfio-pci", 0).Refusals);

        Assert.Equal(ErrorCatalog.VfioRequiresIommu, error.Id);
        Assert.Contains("intel_iommu=on", error.Remedy);
    }

    [Fact]
    public void For_DefaultFromVfio_ClearsTheOverrideAndProbes()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        OnVfio(tree, Vf0);
        tree.WriteFile(Vf0 + "/driver_override", "vfio-pci\n");
        WithModuleAliases(tree);

        var move = Assert.Single(Plan(tree, null, 0).Moves);

        Assert.Equal((null, true, "igbvf"), (move.Override, move.Reprobe, move.ExpectedDriver));
        Assert.Equal("bind to its default driver igbvf (now vfio-pci): clear driver_override, unbind from vfio-pci, drivers_probe", move.Action);
    }

    [Fact]
    public void For_DefaultWithAutoprobeOff_NamesTheDefaultDriverInTheOverride()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        OnVfio(tree, Vf0);
        WithModuleAliases(tree);
        tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/sriov_drivers_autoprobe", "0\n");

        var move = Assert.Single(Plan(tree, null, 0).Moves);

        Assert.Equal("igbvf", move.Override);
    }

    [Fact]
    public void For_DefaultWithAutoprobeOffAndNoMatchingModule_RefusesAsNotInstalled()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        OnVfio(tree, Vf0);
        tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/sriov_drivers_autoprobe", "0\n");

        var error = Assert.Single(Plan(tree, null, 0).Refusals);

        Assert.Equal((ErrorCatalog.DriverNotAvailable, SriovErrorCategory.NotInstalled), (error.Id, error.Category));
    }

    [Fact]
    public void For_DefaultOnItsNetDriverWithoutOverride_FindsNothingToDo()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        var plan = Plan(tree, null, 0, 1);

        Assert.Empty(plan.Moves);
        Assert.Equal(2, plan.Unchanged.Count);
    }

    internal static VfDriverPlan Plan(HostTree tree, string? driver, params int[] indexes)
    {
        var discovery = new SriovDiscovery(tree.Files);
        var pf = discovery.GetPfs().Single(p => p.Name == "eno49");
        var vfs = discovery.GetVfs(pf).Where(v => indexes.Contains(v.Index)).Select(v => (pf, v)).ToList();
        return VfDriverPlan.For(tree.Files, vfs, driver);
    }

    internal static void OnVfio(HostTree tree, string vf)
    {
        tree.Delete(vf + "/driver");
        File.CreateSymbolicLink(tree.PathOf(vf + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        Directory.CreateDirectory(tree.PathOf("/sys/bus/pci/drivers/vfio-pci"));
        tree.Delete(vf + "/net");
    }

    /// <summary>The running kernel's modules.alias, matching every I350 VF to igbvf.</summary>
    internal static void WithModuleAliases(HostTree tree)
    {
        tree.WriteFile("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        tree.WriteFile("/lib/modules/6.1.0-28-amd64/modules.alias", "alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n");
        var discovery = new SriovDiscovery(tree.Files);
        foreach (var pf in discovery.GetPfs())
        {
            foreach (var vf in discovery.GetVfs(pf))
            {
                tree.WriteFile($"/sys/bus/pci/devices/{vf.PciAddress}/modalias", "pci:v00008086d00001520sv0000103Csd000017D1bc02sc00i00\n");
            }
        }
    }
}
