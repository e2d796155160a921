using System.Linq;
using SriovPS.Export;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Export;

/// <summary>What an export is given: PFs whole or VFs one by one, in the order given.</summary>
public sealed class ExportSelectionTests
{
    [Fact]
    public void VfsOfOnePf_GatherUnderIt_AndAWholePfWinsWhicheverCameFirst()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));
        var pfs = run.Session.AllPfs();
        var selection = new ExportSelection();

        selection.Add(pfs[2], 4);
        selection.Add(pfs[0], null);
        selection.Add(pfs[2], 1);
        selection.Add(pfs[0], 3);
        selection.Add(pfs[1], 6);
        selection.Add(pfs[1], null);

        Assert.False(selection.IsEmpty);
        Assert.Equal(["eno51", "eno49", "eno50"], selection.Chosen.Select(c => c.Pf.Name));
        Assert.Equal([1, 4], selection.Chosen[0].Indexes!.Order());
        Assert.Null(selection.Chosen[1].Indexes);
        Assert.Null(selection.Chosen[2].Indexes);
    }

    [Fact]
    public void NothingAdded_IsEmpty()
    {
        Assert.True(new ExportSelection().IsEmpty);
    }
}
