using System;
using System.Linq;
using System.Reflection;
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
    public void EveryErrorId_IsPascalCaseNamedLikeItsFieldAndCategorised()
    {
        var fields = typeof(ErrorCatalog).GetFields(BindingFlags.Public | BindingFlags.Static);

        Assert.True(fields.Length >= 80);
        Assert.All(fields, field =>
        {
            // Only ids: a constant string would be an id without a category.
            var id = Assert.IsType<SriovErrorId>(field.GetValue(null));
            Assert.Equal(field.Name, id.Name);
            Assert.Matches("^[A-Z][A-Za-z0-9]+$", id.Name);
            Assert.True(Enum.IsDefined(id.Category));
            Assert.NotEqual(SriovErrorCategory.NotSpecified, id.Category);
            Assert.Same(id, ErrorCatalog.Entries[id.Name]);
        });
        Assert.Equal(fields.Length, ErrorCatalog.Entries.Count);
    }

    [Theory]
    [InlineData(nameof(ErrorCatalog.SriovPfNotFound), SriovErrorCategory.ObjectNotFound)]
    [InlineData(nameof(ErrorCatalog.HostRootNotFound), SriovErrorCategory.ObjectNotFound)]
    [InlineData(nameof(ErrorCatalog.InvalidInterfaceName), SriovErrorCategory.InvalidArgument)]
    [InlineData(nameof(ErrorCatalog.InvalidPciAddress), SriovErrorCategory.InvalidArgument)]
    [InlineData(nameof(ErrorCatalog.InvalidWildcardPattern), SriovErrorCategory.InvalidArgument)]
    [InlineData(nameof(ErrorCatalog.PlatformNotSupported), SriovErrorCategory.NotImplemented)]
    [InlineData(nameof(ErrorCatalog.VfsInUse), SriovErrorCategory.ResourceBusy)]
    [InlineData(nameof(ErrorCatalog.HostPathOutsideRoot), SriovErrorCategory.PermissionDenied)]
    [InlineData(nameof(ErrorCatalog.LibvirtNetworkExists), SriovErrorCategory.ResourceExists)]
    [InlineData(nameof(ErrorCatalog.VfsNotReady), SriovErrorCategory.OperationTimeout)]
    public void Entries_GiveEachIdItsCategory(string errorId, SriovErrorCategory category)
    {
        Assert.Equal(category, ErrorCatalog.Entries[errorId].Category);
    }

    [Fact]
    public void Exception_CarriesIdCategoryTargetAndRemedy()
    {
        var inner = new System.IO.IOException("gone");
        var error = new SriovException(ErrorCatalog.SriovPfNotFound, "No PF named 'x'.", "x", "Run Get-SriovPf.", inner);

        Assert.Same(ErrorCatalog.SriovPfNotFound, error.Id);
        Assert.Equal("SriovPfNotFound", error.ErrorId);
        Assert.Equal(SriovErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal("x", error.Target);
        Assert.Equal("Run Get-SriovPf.", error.Remedy);
        Assert.Equal("No PF named 'x'.", error.Message);
        Assert.Same(inner, error.InnerException);
    }

    [Fact]
    public void TheModule_HasOneExceptionType_AndNoWayToMakeAnIdOutsideTheCatalog()
    {
        var derived = typeof(SriovException).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(SriovException)));

        Assert.Empty(derived);
        Assert.True(typeof(SriovException).IsSealed);
        Assert.All(typeof(SriovErrorId).GetConstructors(BindingFlags.Public | BindingFlags.Instance), c => Assert.Fail($"public constructor {c}"));
    }
}
