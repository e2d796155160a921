using SriovPS.Errors;
using SriovPS.Values;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Values;

public sealed class MacAddressTests
{
    [Theory]
    [InlineData("02:53:52:00:00:10", new byte[] { 0x02, 0x53, 0x52, 0x00, 0x00, 0x10 })]
    [InlineData("02-53-52-AB-cd-EF", new byte[] { 0x02, 0x53, 0x52, 0xab, 0xcd, 0xef })]
    [InlineData("52:54:00:12:34:56", new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 })]
    public void ParseUnicast_ColonOrDashSeparatedHex_GivesTheSixOctets(string text, byte[] expected) =>
        Assert.Equal(expected, MacAddress.ParseUnicast(text));

    [Theory]
    [InlineData("")]
    [InlineData("02:53:52:00:00")]
    [InlineData("02:53:52:00:00:10:11")]
    [InlineData("02.53.52.00.00.10")]
    [InlineData("02:53-52:00:00:10")]
    [InlineData("02:53:52:00:00:1g")]
    [InlineData("0253:5200:0010:")]
    [InlineData("+2:53:52:00:00:10")]
    [InlineData(" 2:53:52:00:00:10")]
    public void ParseUnicast_Malformed_IsInvalidMacAddressSayingHowToWriteOne(string text)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => MacAddress.ParseUnicast(text));

        Assert.Equal((ErrorCatalog.InvalidMacAddress, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
        Assert.Equal($"'{text}' is not a MAC address: write six hexadecimal octets separated by ':' (02:53:52:00:00:10).", error.Message);
        Assert.Equal(text, error.Target);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01")]
    [InlineData("ff:ff:ff:ff:ff:ff")]
    [InlineData("33:33:00:00:00:01")]
    public void ParseUnicast_MulticastOrBroadcast_IsInvalidMacAddress(string text)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => MacAddress.ParseUnicast(text));

        Assert.Equal(ErrorCatalog.InvalidMacAddress, error.Id);
        Assert.Contains("multicast or broadcast", error.Message);
    }

    [Fact]
    public void ParseUnicast_AllZeros_IsInvalidAndPointsToClearMacAddress()
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => MacAddress.ParseUnicast("00:00:00:00:00:00"));

        Assert.Equal(ErrorCatalog.InvalidMacAddress, error.Id);
        Assert.Contains("-ClearMacAddress", error.Message);
    }

    [Fact]
    public void TryParse_NullOrMalformed_IsNull()
    {
        Assert.Null(MacAddress.TryParse(null));
        Assert.Null(MacAddress.TryParse("not a mac address"));
        Assert.Equal(new byte[6], MacAddress.TryParse("00:00:00:00:00:00"));
    }
}
