using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.VfCount;

/// <summary>VF count plans from the seeds' I350 (TotalVfs 7, 7 VFs each): validation before anything is written, and what each change does.</summary>
public sealed class VfCountPlanTests
{
    private static SriovPf Eno49(HostTree tree) => new SriovDiscovery(tree.Files).GetPfs().Single(p => p.Name == "eno49");

    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Enable_WhenCountIsOutsideOneToTotalVfs_ReportsLimitsExceeded(int count)
    {
        using var tree = HostTree.FromFixture("i350-4port");

        var error = SriovAssert.Throws(SriovErrorCategory.LimitsExceeded, () => VfCountPlan.For(Eno49(tree), count));

        Assert.Equal((ErrorCatalog.VfCountOutOfRange, SriovErrorCategory.LimitsExceeded), (error.Id, error.Category));
        Assert.Contains("eno49 takes 1 to 7 VFs (sriov_totalvfs 7)", error.Message);
        Assert.Contains("Nothing was changed", error.Message);
    }

    [Fact]
    public void Disable_AllowsZero_AndDestroysThePresentVfs()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        var plan = VfCountPlan.For(Eno49(tree), 0, allowZero: true);

        Assert.True(plan.DestroysVfs);
        Assert.Equal("remove all 7 VFs", plan.Action);
        Assert.Equal("0000:04:00.0 (eno49)", plan.Target);
    }

    [Fact]
    public void SameCount_IsNothingToDo()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        Assert.True(VfCountPlan.For(Eno49(tree), 7).IsNoOp);
        Assert.True(VfCountPlan.For(Eno49(tree), 7, driversAutoprobe: true).IsNoOp);
    }

    [Fact]
    public void AnotherCount_GoesThroughZero_AndSaysSo()
    {
        using var tree = HostTree.FromFixture("i350-4port");

        var plan = VfCountPlan.For(Eno49(tree), 3, driversAutoprobe: false);

        Assert.True(plan.DestroysVfs);
        Assert.Equal("set sriov_drivers_autoprobe to 0, then re-create its VFs, 7 → 3 (all 7 present VFs are destroyed first)", plan.Action);
    }

    [Fact]
    public void APfWithoutDriver_CannotChangeItsCount()
    {
        using var tree = HostTree.FromFixture("e810-nodriver");
        var pf = new SriovDiscovery(tree.Files).GetPfs().Single();

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => VfCountPlan.For(pf, 4));

        Assert.Equal(ErrorCatalog.PfDriverMissing, error.Id);
    }
}
