using SriovPS.Errors;
using SriovPS.Values;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Values;

public class NameRulesTests
{
    [Theory]
    [InlineData("eno49")]
    [InlineData("enp4s16f0")]
    [InlineData("a23456789012345")]
    [InlineData("eth0.42")]
    [InlineData("eno*")]
    [InlineData("[e][n][o][4][9]xxxxxxxx")]
    public void Validate_AcceptsKernelNamesAndPatterns(string name)
    {
        InterfaceName.Validate(name);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData(null, "it is empty")]
    [InlineData("a234567890123456", "16 characters")]
    [InlineData("eno49/../../etc", "'..'")]
    [InlineData("..", "'..'")]
    [InlineData("a/b", "'/'")]
    [InlineData("eth0:1", "':'")]
    [InlineData("eno 49", "whitespace")]
    [InlineData("eno49\n", "whitespace")]
    [InlineData("e*/x", "'/'")]
    public void Validate_RejectsWhatNoInterfaceNameHolds(string? name, string problem)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => InterfaceName.Validate(name));

        Assert.Equal("InvalidInterfaceName", error.ErrorId);
        Assert.Equal(SriovErrorCategory.InvalidArgument, error.Category);
        Assert.Contains(problem, error.Message);
        Assert.Equal(name, error.Target);
    }

    [Theory]
    [InlineData("eno49", "eno49", true)]
    [InlineData("ENO49", "eno49", true)]
    [InlineData("eno4", "eno49", false)]
    [InlineData("eno*", "eno49", true)]
    [InlineData("*", "x", true)]
    [InlineData("eno4?", "eno49", true)]
    [InlineData("eno4?", "eno4", false)]
    [InlineData("eno[45]9", "eno49", true)]
    [InlineData("eno[5-6]*", "eno49", false)]
    [InlineData("eno[4-5]*", "eno52", true)]
    [InlineData("eno`*", "eno*", true)]
    [InlineData("eno`*", "eno49", false)]
    [InlineData("a.b*", "axb", false)]
    [InlineData("[^a]*", "^x", true)]
    public void NamePattern_MatchesAsPowerShellWildcards(string pattern, string name, bool expected)
    {
        Assert.Equal(expected, NamePattern.Parse(pattern).IsMatch(name));
    }

    [Fact]
    public void NamePattern_LiteralNameIsNotAWildcard_AndNeverMatchesNull()
    {
        Assert.False(NamePattern.Parse("eno49").IsWildcard);
        Assert.True(NamePattern.Parse("eno4*").IsWildcard);
        Assert.False(NamePattern.Parse("*").IsMatch(null));
    }

    [Theory]
    [InlineData("eno[49")]
    [InlineData("eno[]")]
    public void NamePattern_UnclosedOrEmptyBracket_IsInvalid(string pattern)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => NamePattern.Parse(pattern));

        Assert.Equal("InvalidWildcardPattern", error.ErrorId);
        Assert.Equal(pattern, error.Target);
    }

    [Theory]
    [InlineData("04:00.0", "0000:04:00.0", true)]
    [InlineData("0000:04:00.0", "0000:04:00.0", true)]
    [InlineData("0000:04:00.0", "0000:04:00.1", false)]
    [InlineData("0000:04:*", "0000:04:10.4", true)]
    [InlineData("*:04:00.[0-1]", "0000:04:00.1", true)]
    [InlineData("*:04:00.[0-1]", "0000:04:00.2", false)]
    [InlineData("04:00.*", "0000:04:00.3", true)]
    [InlineData("04:00.[01]", "0000:04:00.1", true)]
    [InlineData("04:1?.0", "0000:04:10.0", true)]
    [InlineData("04:00.*", "0001:04:00.3", false)]
    [InlineData("*04:00.*", "0001:04:00.3", true)]
    public void PciAddress_ToPattern_MatchesNormalizedAddresses(string argument, string address, bool expected)
    {
        Assert.Equal(expected, PciAddress.ToPattern(argument).IsMatch(address));
    }

    [Theory]
    [InlineData("eno4*")]
    [InlineData("04:00.0/*")]
    [InlineData("04:00")]
    public void PciAddress_ToPattern_RejectsWhatNoAddressHolds(string argument)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => PciAddress.ToPattern(argument));

        Assert.Equal("InvalidPciAddress", error.ErrorId);
    }

    [Theory]
    [InlineData("0000:04:10.4", true)]
    [InlineData("0000:00:1f.7", true)]
    [InlineData("0000:04:20.0", false)]
    [InlineData("0000:04:10.8", false)]
    [InlineData("0000:04:10", false)]
    [InlineData("0000:04:10.0 ", false)]
    [InlineData("0000:0G:10.0", false)]
    [InlineData("0000:04:10.0/../x", false)]
    public void PciAddress_IsValid_FollowsSysfsSpelling(string text, bool expected)
    {
        Assert.Equal(expected, PciAddress.IsValid(text));
    }

    [Theory]
    [InlineData("04:00.0", "0000:04:00.0")]
    [InlineData("0000:04:1F.1", "0000:04:1f.1")]
    public void PciAddress_Normalize_AddsTheDomainAndLowersHex(string text, string expected)
    {
        Assert.Equal(expected, PciAddress.Normalize(text));
    }

    [Fact]
    public void PciAddress_Normalize_RejectsNonsense()
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => PciAddress.Normalize("eno49"));

        Assert.Equal("InvalidPciAddress", error.ErrorId);
    }
}
