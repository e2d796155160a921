using System.Linq;
using SriovPS.Configuration;
using SriovPS.VfSettings;
using SriovPS.Values;
using Xunit;

namespace SriovPS.Tests.VfSettings;

/// <summary>"mac": "auto": a MAC worked out from the PF's MAC and the VF's index alone.</summary>
public sealed class VfMacRuleTests
{
    /// <summary>The seeds' I350 ports, eno49–eno52.</summary>
    private static readonly string[] I350 = ["9c:dc:71:5e:0f:a0", "9c:dc:71:5e:0f:a1", "9c:dc:71:5e:0f:a2", "9c:dc:71:5e:0f:a3"];

    [Theory]
    // 9c ^ dc ^ 71 = 31; & fc = 30; | 02 = 32. Then the PF's last three octets, then the index in two octets.
    [InlineData("9c:dc:71:5e:0f:a0", 5, "32:5e:0f:a0:00:05")]
    [InlineData("9c:dc:71:5e:0f:a0", 300, "32:5e:0f:a0:01:2c")]
    // f8 ^ bc ^ 12 = 56; & fc = 54; | 02 = 56.
    [InlineData("f8:bc:12:3a:40:c0", 0, "56:3a:40:c0:00:00")]
    // ff ^ ff ^ ff = ff; & fc = fc; | 02 = fe: still unicast.
    [InlineData("ff:ff:ff:00:00:01", 65534, "fe:00:00:01:ff:fe")]
    public void TheMac_IsTheFoldedVendorPart_ThePfsLastOctets_AndTheIndex(string pfMac, int index, string expected)
    {
        Assert.Equal(expected, VfMacRule.For(pfMac, index));
    }

    [Fact]
    public void EveryMac_IsUnicast_AndLocallyAdministered()
    {
        foreach (string pf in I350.Append("01:00:5e:00:00:01").Append("02:00:00:00:00:00").Append("fd:ff:ff:ff:ff:ff"))
        {
            foreach (int index in new[] { 0, 1, 127, 255, 256, 65534 })
            {
                var mac = MacAddress.TryParse(VfMacRule.For(pf, index))!;
                Assert.Equal(0, mac[0] & 0x01);
                Assert.Equal(0x02, mac[0] & 0x02);
                MacAddress.ParseUnicast(VfMacRule.For(pf, index)!);
            }
        }
    }

    [Fact]
    public void TheSamePfAndIndex_GiveTheSameMac_InAnySpellingOfThePfMac()
    {
        Assert.Equal(VfMacRule.For("9c:dc:71:5e:0f:a0", 3), VfMacRule.For("9c:dc:71:5e:0f:a0", 3));
        Assert.Equal(VfMacRule.For("9c:dc:71:5e:0f:a0", 3), VfMacRule.For("9C:DC:71:5E:0F:A0", 3));
    }

    [Fact]
    public void EveryVfOfTheFourI350Ports_GetsADistinctMac()
    {
        var macs = I350.SelectMany(pf => Enumerable.Range(0, 128).Select(index => VfMacRule.For(pf, index))).ToList();

        Assert.Equal(4 * 128, macs.Distinct().Count());
        Assert.DoesNotContain(null, macs);
    }

    [Fact]
    public void NoVfMac_EqualsAPfMac()
    {
        var macs = I350.SelectMany(pf => Enumerable.Range(0, 8).Select(index => VfMacRule.For(pf, index)));

        Assert.Empty(macs.Intersect(I350));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00:00:00:00:00:00")]
    [InlineData("not a mac")]
    [InlineData("9c:dc:71:5e:0f")]
    public void APfWithoutAMac_GivesNone(string? pfMac)
    {
        Assert.Null(VfMacRule.For(pfMac, 0));
    }

    [Fact]
    public void TheRule_StartsFromThePermanentMac_WhichABondDoesNotChange_AndFromThePfsMacWithoutIt()
    {
        // Two ports of a bond carry the bond's MAC; their permanent ones still differ.
        var bonded = new SriovPf("0000:04:00.1") { MacAddress = "9c:dc:71:5e:0f:a0", PermanentMacAddress = "9c:dc:71:5e:0f:a1" };
        var tree = new SriovPf("0000:04:00.1") { MacAddress = "9c:dc:71:5e:0f:a1" };
        var zero = new SriovPf("0000:04:00.1") { MacAddress = "9c:dc:71:5e:0f:a1", PermanentMacAddress = "00:00:00:00:00:00" };

        Assert.Equal("9c:dc:71:5e:0f:a1", VfMacRule.SourceOf(bonded));
        Assert.Equal("9c:dc:71:5e:0f:a1", VfMacRule.SourceOf(tree));
        Assert.Equal("9c:dc:71:5e:0f:a1", VfMacRule.SourceOf(zero));
        Assert.Equal("32:5e:0f:a1:00:02", VfMacRule.For(VfMacRule.SourceOf(bonded), 2));
    }
}
