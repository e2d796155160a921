using System;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Errors;

public class ErrorCatalogTests
{
    [Fact]
    public void SriovErrorCategory_HasPowerShellsErrorCategoryNamesAndNumbers()
    {
        // The cmdlet boundary casts one enum to the other, so both must list the same members.
        var powerShell = PowerShellMetadata.ErrorCategoryMembers();
        var ours = Enum.GetValues<SriovErrorCategory>().ToDictionary(c => c.ToString(), c => (int)c);

        Assert.NotEmpty(powerShell);
        Assert.Equal(powerShell.OrderBy(p => p.Value), ours.OrderBy(p => p.Value));
    }

    [Fact]
    public void EveryErrorId_IsPascalCaseAndCatalogued()
    {
        Assert.NotEmpty(ErrorCatalog.Entries);
        Assert.All(ErrorCatalog.Entries, entry =>
        {
            Assert.Matches("^[A-Z][A-Za-z0-9]+$", entry.Key);
            Assert.True(Enum.IsDefined(entry.Value));
            Assert.NotEqual(SriovErrorCategory.NotSpecified, entry.Value);
        });
    }

    [Fact]
    public void ErrorIdConstants_AreExactlyTheCatalogEntries()
    {
        var constants = typeof(ErrorCatalog).GetFields()
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

        Assert.Equal(constants.Order(), ErrorCatalog.Entries.Keys.Order());
    }

    [Theory]
    [InlineData(ErrorCatalog.SriovPfNotFound, SriovErrorCategory.ObjectNotFound)]
    [InlineData(ErrorCatalog.HostRootNotFound, SriovErrorCategory.ObjectNotFound)]
    [InlineData(ErrorCatalog.InvalidInterfaceName, SriovErrorCategory.InvalidArgument)]
    [InlineData(ErrorCatalog.InvalidPciAddress, SriovErrorCategory.InvalidArgument)]
    [InlineData(ErrorCatalog.InvalidWildcardPattern, SriovErrorCategory.InvalidArgument)]
    [InlineData(ErrorCatalog.PlatformNotSupported, SriovErrorCategory.NotImplemented)]
    public void CategoryOf_ReadsTheTable(string errorId, SriovErrorCategory category)
    {
        Assert.Equal(category, ErrorCatalog.CategoryOf(errorId));
    }

    [Fact]
    public void CategoryOf_UnknownId_Throws()
    {
        Assert.Throws<ArgumentException>(() => ErrorCatalog.CategoryOf("NoSuchError"));
    }

    [Fact]
    public void Exception_CarriesIdCategoryTargetAndRemedy()
    {
        var inner = new System.IO.IOException("gone");
        var error = new SriovObjectNotFoundException(ErrorCatalog.SriovPfNotFound, "No PF named 'x'.", "x", "Run Get-SriovPf.", inner);

        Assert.Equal("SriovPfNotFound", error.ErrorId);
        Assert.Equal(SriovErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal("x", error.Target);
        Assert.Equal("Run Get-SriovPf.", error.Remedy);
        Assert.Equal("No PF named 'x'.", error.Message);
        Assert.Same(inner, error.InnerException);
    }

    [Fact]
    public void Exception_OfAKindThatDisagreesWithTheCatalog_CannotBeRaised()
    {
        var error = Assert.Throws<ArgumentException>(() => new SriovResourceBusyException(ErrorCatalog.SriovPfNotFound, "x"));

        Assert.Contains("catalogued as ObjectNotFound but raised as ResourceBusy", error.Message);
    }

    [Fact]
    public void EveryExceptionKind_HasItsOwnCategory()
    {
        var kinds = typeof(SriovException).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(SriovException)) && !t.IsAbstract)
            .ToList();

        Assert.True(kinds.Count >= 10);
        Assert.All(kinds, k => Assert.True(k.IsSealed, $"{k.Name} is sealed"));
        Assert.All(kinds, k => Assert.EndsWith("Exception", k.Name));
        Assert.Equal(kinds.Count, kinds.Select(k => k.Name).Distinct().Count());
    }
}
