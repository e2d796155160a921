using SriovPS.Errors;
using SriovPS.Native.Netlink;
using SriovPS.VfSettings;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.VfSettings;

public sealed class VfSettingsRequestTests
{
    [Fact]
    public void Create_EverySetting_KeepsEachValue()
    {
        var request = VfSettingsRequest.Create(
            macAddress: "02:53:52:00:00:10", vlan: 4095, qos: 7, vlanProtocol: "802.1AD", spoofCheck: false, trust: true,
            linkState: VfLinkState.Disable, minTxRate: 10, maxTxRate: 0);

        Assert.Equal(new byte[] { 2, 0x53, 0x52, 0, 0, 0x10 }, request.MacAddress);
        Assert.Equal((4095, 7, IfLink.EthP8021AD), (request.Vlan, request.Qos, request.VlanProtocol));
        Assert.Equal((false, true, VfLinkState.Disable), (request.SpoofCheck, request.Trust, request.LinkState));
        Assert.Equal((10, 0), (request.MinTxRate, request.MaxTxRate));
        Assert.False(request.IsEmpty);
    }

    [Fact]
    public void Create_Nothing_IsEmpty_AndClearMacAddressIsSixZeros()
    {
        Assert.True(VfSettingsRequest.Create().IsEmpty);
        Assert.Equal(new byte[6], VfSettingsRequest.Create(clearMacAddress: true).MacAddress);
        Assert.Equal(IfLink.EthP8021Q, VfSettingsRequest.Create(vlanProtocol: "802.1q").VlanProtocol);
    }

    [Theory]
    [InlineData(4096, null, "-Vlan 4096 is outside the VLAN range 0–4095.")]
    [InlineData(-1, null, "-Vlan -1 is outside the VLAN range 0–4095.")]
    [InlineData(10, 8, "-Qos 8 is outside the QoS (802.1p priority) range 0–7.")]
    [InlineData(0, 3, "-Qos 3 sets the priority of the VF's VLAN tag, and -Vlan 0 removes the tag: give a VLAN from 1 to 4095.")]
    public void Create_VlanOrQosOutOfRange_IsInvalidVfSetting(int vlan, int? qos, string message)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(vlan: vlan, qos: qos));

        Assert.Equal((ErrorCatalog.InvalidVfSetting, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Create_MacAddressAndClearMacAddress_IsInvalidVfSetting()
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10", clearMacAddress: true));

        Assert.Equal(ErrorCatalog.InvalidVfSetting, error.Id);
        Assert.Contains("give one of them", error.Message);
    }

    [Fact]
    public void Create_BadMac_IsInvalidMacAddress() =>
        Assert.Equal(ErrorCatalog.InvalidMacAddress, SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(macAddress: "01:02:03:04:05:06")).Id);

    [Theory]
    [InlineData(0, "802.1ad", "-VlanProtocol 802.1ad names the tag to push")]
    [InlineData(null, "802.1x", "'802.1x' is not a VLAN protocol")]
    [InlineData(null, "", "'' is not a VLAN protocol")]
    public void Create_BadProtocol_IsInvalidVfSetting(int? vlan, string protocol, string start)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(vlan: vlan, vlanProtocol: protocol));

        Assert.Equal(ErrorCatalog.InvalidVfSetting, error.Id);
        Assert.StartsWith(start, error.Message);
    }

    [Theory]
    [InlineData(100, 10, true)]
    [InlineData(100, 0, false)]
    [InlineData(100, 100, false)]
    [InlineData(0, 0, false)]
    [InlineData(-1, 0, true)]
    [InlineData(0, -5, true)]
    public void Create_Rates_MinAboveANonZeroMaxOrNegativeIsInvalid(int min, int max, bool invalid)
    {
        if (invalid)
        {
            Assert.Equal(ErrorCatalog.InvalidVfSetting, SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(minTxRate: min, maxTxRate: max)).Id);
        }
        else
        {
            Assert.Equal((min, max), (VfSettingsRequest.Create(minTxRate: min, maxTxRate: max).MinTxRate, VfSettingsRequest.Create(minTxRate: min, maxTxRate: max).MaxTxRate));
        }
    }

    [Fact]
    public void Create_UndefinedLinkState_IsInvalidVfSetting() =>
        Assert.Equal(ErrorCatalog.InvalidVfSetting, SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsRequest.Create(linkState: (VfLinkState)7)).Id);
}
