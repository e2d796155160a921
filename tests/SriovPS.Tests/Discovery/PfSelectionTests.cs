using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using SriovPS.Values;
using Xunit;

namespace SriovPS.Tests.Discovery;

public class PfSelectionTests
{
    private static readonly System.Collections.Generic.List<SriovPf> Pfs = LoadPfs();

    private static System.Collections.Generic.List<SriovPf> LoadPfs()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        return new SriovDiscovery(tree.Files).GetPfs();
    }

    [Fact]
    public void NoNames_SelectsEveryPf()
    {
        var (selected, errors) = PfSelection.Select(Pfs, null);

        Assert.Equal(4, selected.Count);
        Assert.Empty(errors);
    }

    [Fact]
    public void LiteralNameThatMatchesNothing_IsAnErrorAndTheOtherNamesStillSelect()
    {
        var (selected, errors) = PfSelection.Select(Pfs, [NamePattern.Parse("eno52"), NamePattern.Parse("nosuch"), NamePattern.Parse("eno49")]);

        Assert.Equal(["eno49", "eno52"], selected.Select(p => p.Name));
        var error = SriovAssert.IsError(SriovErrorCategory.ObjectNotFound, Assert.Single(errors));
        Assert.Equal("SriovPfNotFound", error.ErrorId);
        Assert.Equal("nosuch", error.Target);
        Assert.Contains("'nosuch'", error.Message);
        Assert.NotNull(error.Remedy);
    }

    [Fact]
    public void WildcardThatMatchesNothing_IsNotAnError()
    {
        var (selected, errors) = PfSelection.Select(Pfs, [NamePattern.Parse("ens*")]);

        Assert.Empty(selected);
        Assert.Empty(errors);
    }

    [Fact]
    public void OverlappingPatterns_SelectEachPfOnceInPciOrder()
    {
        var (selected, _) = PfSelection.Select(Pfs, [NamePattern.Parse("eno5*"), NamePattern.Parse("eno50"), NamePattern.Parse("*49")]);

        Assert.Equal(["eno49", "eno50", "eno51", "eno52"], selected.Select(p => p.Name));
    }

    [Fact]
    public void ByPciAddress_UnknownAddressIsAnErrorNamingIt()
    {
        var (selected, errors) = PfSelection.Select(Pfs, [PciAddress.ToPattern("04:00.3"), PciAddress.ToPattern("04:10.0")], PfKey.PciAddress);

        Assert.Equal(["eno52"], selected.Select(p => p.Name));
        var error = Assert.Single(errors);
        Assert.Equal(("SriovPfNotFound", "0000:04:10.0"), (error.ErrorId, (string)error.Target!));
        Assert.Contains("PCI address '0000:04:10.0'", error.Message);
    }

    [Fact]
    public void WithDriver_FiltersByPatternAndKeepsAllWithoutOne()
    {
        Assert.Equal(4, PfSelection.WithDriver(Pfs, [NamePattern.Parse("ig*")]).Count);
        Assert.Empty(PfSelection.WithDriver(Pfs, [NamePattern.Parse("ixgbe")]));
        Assert.Same(Pfs, PfSelection.WithDriver(Pfs, null));
    }
}
