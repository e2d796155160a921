using System.Linq;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Netlink;
using SriovPS.VfSettings;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.VfSettings;

public sealed class VfSettingsPlanTests
{
    /// <summary>A VF as igb reports a fresh one: no MAC, no VLAN, spoof check on, trust off, no rates.</summary>
    private static SriovVf Fresh(int index = 3) => KernelLinkMapping.CreateVf("0000:04:00.0", "0000:04:10.4", "eno49", index, new VfInfo
    {
        Index = index,
        MacAddress = new byte[6],
        Vlan = 0,
        Qos = 0,
        SpoofCheck = true,
        Trust = false,
        LinkState = IfLink.IFLA_VF_LINK_STATE_AUTO,
        MinTxRate = 0,
        MaxTxRate = 0,
    });

    private static SriovVf Tagged(uint vlan, uint qos, ushort protocol, uint min = 0, uint max = 0) =>
        KernelLinkMapping.CreateVf("0000:04:00.0", "0000:04:10.4", "eno49", 3, new VfInfo
        {
            Index = 3,
            MacAddress = [0x02, 0x53, 0x52, 0, 0, 0x10],
            Vlan = vlan,
            Qos = qos,
            VlanProtocol = protocol,
            SpoofCheck = true,
            Trust = false,
            LinkState = IfLink.IFLA_VF_LINK_STATE_AUTO,
            MinTxRate = min,
            MaxTxRate = max,
        });

    [Fact]
    public void For_EveryAttribute_IsInTheFixedOrderVlanMacRateSpoofCheckTrustLinkState()
    {
        var request = VfSettingsRequest.Create(
            linkState: VfLinkState.Enable, trust: true, spoofCheck: false, maxTxRate: 1000, minTxRate: 100,
            macAddress: "02:53:52:00:00:10", qos: 3, vlan: 42);

        var plan = VfSettingsPlan.For(request, Fresh());

        Assert.Equal(
            [VfSettingKind.Vlan, VfSettingKind.MacAddress, VfSettingKind.Rate, VfSettingKind.SpoofCheck, VfSettingKind.Trust, VfSettingKind.LinkState],
            plan.Changes.Select(c => c.Kind));
        Assert.Equal("vlan 42 qos 3 mac 02:53:52:00:00:10 min_tx_rate 100 max_tx_rate 1000 spoofchk off trust on state enable", plan.IpArguments);
        Assert.True(plan.IsKnown);
        Assert.True(plan.ChangesMacAddress);
        Assert.Empty(plan.Unchanged);
    }

    [Fact]
    public void For_SettingsAlreadyInPlace_AreNotSentButListed()
    {
        var request = VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10", vlan: 42, qos: 3, spoofCheck: true, trust: true, minTxRate: 0, maxTxRate: 0);

        var plan = VfSettingsPlan.For(request, Tagged(42, 3, IfLink.EthP8021Q));

        Assert.Equal(["trust on"], plan.Changes.Select(c => c.IpArguments));
        Assert.Equal(["vlan 42 qos 3", "mac 02:53:52:00:00:10", "min_tx_rate 0 max_tx_rate 0", "spoofchk on"], plan.Unchanged);
        Assert.False(plan.ChangesMacAddress);
    }

    [Fact]
    public void For_UppercaseMac_IsTheSameAddress()
    {
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(macAddress: "02:53:52:00:00:10".ToUpperInvariant()), Tagged(0, 0, 0));

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void For_QosAlone_KeepsThePresentVlanAndProtocol()
    {
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(qos: 5), Tagged(42, 3, IfLink.EthP8021AD));

        Assert.Equal(["vlan 42 qos 5 proto 802.1ad"], plan.Changes.Select(c => c.IpArguments));
    }

    [Fact]
    public void For_VlanZero_DropsTheQosAndProtocolWithTheTag()
    {
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 0), Tagged(42, 3, IfLink.EthP8021AD));

        Assert.Equal(["vlan 0"], plan.Changes.Select(c => c.IpArguments));
        Assert.Empty(VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 0), Fresh()).Changes);
    }

    [Fact]
    public void For_ProtocolZeroFromADriverThatKeepsNone_CountsAs8021Q()
    {
        // netdevsim reports protocol 0 until one is set; the kernel means 802.1Q by it.
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 42, vlanProtocol: "802.1Q"), Tagged(42, 0, 0));

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void For_QosOnAVfWithoutVlan_IsInvalidBeforeAnythingIsSent()
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsPlan.For(VfSettingsRequest.Create(qos: 3), Fresh()));

        Assert.Equal(ErrorCatalog.InvalidVfSetting, error.Id);
        Assert.Equal("eno49 vf 3 has no VLAN, and -Qos 3 sets the priority of the VLAN tag: give -Vlan too.", error.Message);
        SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsPlan.For(VfSettingsRequest.Create(vlanProtocol: "802.1ad"), Fresh()));
    }

    [Fact]
    public void For_OneRate_KeepsTheOther_AndChecksTheResult()
    {
        var vf = Tagged(0, 0, 0, min: 100, max: 1000);

        Assert.Equal(["min_tx_rate 100 max_tx_rate 500"], VfSettingsPlan.For(VfSettingsRequest.Create(maxTxRate: 500), vf).Changes.Select(c => c.IpArguments));
        Assert.Equal(["min_tx_rate 200 max_tx_rate 1000"], VfSettingsPlan.For(VfSettingsRequest.Create(minTxRate: 200), vf).Changes.Select(c => c.IpArguments));
        Assert.Equal(["min_tx_rate 100 max_tx_rate 0"], VfSettingsPlan.For(VfSettingsRequest.Create(maxTxRate: 0), vf).Changes.Select(c => c.IpArguments));
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsPlan.For(VfSettingsRequest.Create(maxTxRate: 50), vf));
        Assert.Equal("The minimum rate 100 Mbit/s is above the maximum 50 Mbit/s: raise the maximum, or make it 0 (no limit).", error.Message);
    }

    [Fact]
    public void For_ValuesTheDriverDoesNotReport_AreSent_OrRefusedWhenTheyMustBeKept()
    {
        var silent = KernelLinkMapping.CreateVf("0000:04:00.0", "0000:04:10.4", "eno49", 1, new VfInfo { Index = 1, MacAddress = new byte[6] });

        Assert.Equal(["spoofchk on", "trust off"], VfSettingsPlan.For(VfSettingsRequest.Create(spoofCheck: true, trust: false), silent).Changes.Select(c => c.IpArguments));
        Assert.Contains("give -Vlan too", SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsPlan.For(VfSettingsRequest.Create(qos: 1), silent)).Message);
        Assert.Contains("give -MinTxRate and -MaxTxRate together", SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => VfSettingsPlan.For(VfSettingsRequest.Create(maxTxRate: 1), silent)).Message);
        Assert.Equal(["min_tx_rate 0 max_tx_rate 1"], VfSettingsPlan.For(VfSettingsRequest.Create(minTxRate: 0, maxTxRate: 1), silent).Changes.Select(c => c.IpArguments));
    }

    [Fact]
    public void Describe_NamesOnlyWhatWasAsked_AndCannotBeSent()
    {
        var plan = VfSettingsPlan.Describe(VfSettingsRequest.Create(trust: true, qos: 2, maxTxRate: 10, spoofCheck: true), 4);

        Assert.False(plan.IsKnown);
        Assert.Equal("qos 2 max_tx_rate 10 spoofchk on trust on", plan.IpArguments);
        Assert.Throws<System.InvalidOperationException>(() => LinkChanges.BuildSetVf("eno49", plan.Changes[0].Write));
        Assert.Equal(
            "vlan 42 qos 3 proto 802.1ad mac 02:53:52:00:00:10 min_tx_rate 1 max_tx_rate 2 state disable",
            VfSettingsPlan.Describe(VfSettingsRequest.Create(linkState: VfLinkState.Disable, minTxRate: 1, maxTxRate: 2, macAddress: "02:53:52:00:00:10", vlan: 42, qos: 3, vlanProtocol: "802.1ad"), 0).IpArguments);
    }

    [Fact]
    public void Changes_WriteTheIfLinkStructOfTheirVf_InsideOneSetLinkRequestEach()
    {
        var request = VfSettingsRequest.Create(
            vlan: 42, qos: 3, vlanProtocol: "802.1ad", macAddress: "02:53:52:00:00:10", minTxRate: 10, maxTxRate: 1000,
            spoofCheck: false, trust: true, linkState: VfLinkState.Disable);
        var changes = VfSettingsPlan.For(request, Fresh(index: 5)).Changes;

        string Payload(VfSettingChange change)
        {
            var message = LinkChanges.BuildSetVf("eno49", change.Write);
            message.SetSequence(1, 0);

            // nlmsghdr (16) + ifinfomsg (16) + IFLA_IFNAME "eno49" (12) + list and entry headers (8): the attribute follows.
            return Hex.Of(message.Message[52..]);
        }

        Assert.Equal(
            [
                // IFLA_VF_VLAN_LIST > IFLA_VF_VLAN_INFO: vf 5, vlan 42, qos 3, ETH_P_8021AD big-endian + 2 bytes padding
                Hex.Of(Hex.Bytes("1800 0c00 1400 0100 05000000 2a000000 03000000 88a8 0000")),
                // IFLA_VF_MAC: vf 5, the address in a 32-byte array
                Hex.Of(Hex.Bytes("2800 0100 05000000 025352000010" + Hex.Zeros(26))),
                // IFLA_VF_RATE: vf 5, min 10, max 1000
                Hex.Of(Hex.Bytes("1000 0600 05000000 0a000000 e8030000")),
                // IFLA_VF_SPOOFCHK: vf 5, off; IFLA_VF_TRUST: vf 5, on
                Hex.Of(Hex.Bytes("0c00 0400 05000000 00000000")),
                Hex.Of(Hex.Bytes("0c00 0900 05000000 01000000")),
                // IFLA_VF_LINK_STATE: vf 5, IFLA_VF_LINK_STATE_DISABLE
                Hex.Of(Hex.Bytes("0c00 0500 05000000 02000000")),
            ],
            changes.Select(Payload));
    }

    [Fact]
    public void VlanChange_For8021Q_IsThePlainVlanStruct()
    {
        var change = Assert.Single(VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 100), Fresh(index: 2)).Changes);
        var message = LinkChanges.BuildSetVf("eno49", change.Write);

        Assert.Equal(Hex.Of(Hex.Bytes("1000 0200 02000000 64000000 00000000")), Hex.Of(message.Message[52..]));
    }

    [Fact]
    public void Restoring_SendsEachChangedAttributeBackAtItsEarlierValue_InTheSameOrder()
    {
        var request = VfSettingsRequest.Create(
            vlan: 100, macAddress: "02:53:52:00:00:20", maxTxRate: 500, spoofCheck: false, trust: true, linkState: VfLinkState.Enable);
        var plan = VfSettingsPlan.For(request, Tagged(42, 3, IfLink.EthP8021AD, min: 10, max: 100));

        var restore = plan.Restoring(out var unknown);

        Assert.Equal("vlan 100 qos 3 proto 802.1ad mac 02:53:52:00:00:20 min_tx_rate 10 max_tx_rate 500 spoofchk off trust on state enable", plan.IpArguments);
        Assert.Equal("vlan 42 qos 3 proto 802.1ad mac 02:53:52:00:00:10 min_tx_rate 10 max_tx_rate 100 spoofchk on trust off state auto", restore.IpArguments);
        Assert.Empty(unknown);
        Assert.Equal(
            Hex.Of(Hex.Bytes("1800 0c00 1400 0100 03000000 2a000000 03000000 88a8 0000")),
            Hex.Of(LinkChanges.BuildSetVf("eno49", restore.Changes[0].Write).Message[52..]));
    }

    [Fact]
    public void Restoring_AVfThatHadNoTagOrMac_RemovesTheTagAndClearsTheMac()
    {
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 42, qos: 3, macAddress: "02:53:52:00:00:20"), Fresh());

        Assert.Equal("vlan 0 mac 00:00:00:00:00:00", plan.Restoring(out _).IpArguments);
    }

    [Fact]
    public void Restoring_AValueTheDriverDidNotReport_IsListedAsUnknown_NotGuessed()
    {
        var silent = KernelLinkMapping.CreateVf("0000:04:00.0", "0000:04:10.4", "eno49", 1, new VfInfo { Index = 1, MacAddress = new byte[6] });
        var plan = VfSettingsPlan.For(VfSettingsRequest.Create(spoofCheck: true, trust: false, minTxRate: 0, maxTxRate: 1), silent);

        var restore = plan.Restoring(out var unknown);

        Assert.Empty(restore.Changes);
        Assert.Equal(["min_tx_rate 0 max_tx_rate 1", "spoofchk on", "trust off"], unknown);
        Assert.Throws<System.InvalidOperationException>(() => VfSettingsPlan.Describe(VfSettingsRequest.Create(trust: true), 1).Restoring(out _));
    }
}
