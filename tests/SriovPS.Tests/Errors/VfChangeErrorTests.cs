using SriovPS.Errors;
using SriovPS.Native;
using SriovPS.Native.Netlink;
using SriovPS.VfSettings;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Errors;

/// <summary>The kernel's refusal of one VF attribute, as the user reads it.</summary>
public sealed class VfChangeErrorTests
{
    private static readonly VfSettingsPlan Plan = VfSettingsPlan.Describe(
        VfSettingsRequest.Create(vlan: 42, vlanProtocol: "802.1ad", trust: true, linkState: VfLinkState.Enable, minTxRate: 10, maxTxRate: 100),
        0);

    private static SriovException Map(int errno, VfSettingKind kind, string? ack = null, params VfSettingKind[] applied) =>
        NetlinkErrors.ForVfChange(
            new NetlinkException(errno, "RTM_SETLINK", ack),
            new VfChangeContext("eno49", "igb", 0, Find(kind), System.Array.ConvertAll(applied, Find)));

    private static VfSettingChange Find(VfSettingKind kind) => System.Linq.Enumerable.Single(Plan.Changes, c => c.Kind == kind);

    [Fact]
    public void NotSupported_NamesDriverAndAttribute_InTheKernelsWords()
    {
        var error = Map(Errno.EOPNOTSUPP, VfSettingKind.LinkState, null, VfSettingKind.Vlan, VfSettingKind.Trust);

        SriovAssert.IsError(SriovErrorCategory.NotImplemented, error);
        Assert.Equal((ErrorCatalog.VfSettingNotSupported, SriovErrorCategory.NotImplemented, "eno49 vf 0"), (error.Id, error.Category, error.Target));
        Assert.Equal(
            "igb does not support setting link-state on VFs: the kernel answered \"Operation not supported\" to 'ip link set eno49 vf 0 state enable'. " +
            "Applied to eno49 vf 0: vlan 42 proto 802.1ad, trust on.",
            error.Message);
    }

    [Fact]
    public void ProtocolNotSupported_On8021ad_SaysQinQ()
    {
        var error = Map(Errno.EPROTONOSUPPORT, VfSettingKind.Vlan);

        Assert.Equal((ErrorCatalog.VfSettingNotSupported, SriovErrorCategory.NotImplemented), (error.Id, error.Category));
        Assert.Equal(
            "igb does not support 802.1ad (QinQ) VLAN tags on VFs: the kernel answered \"Protocol not supported\" to 'ip link set eno49 vf 0 vlan 42 proto 802.1ad'. Nothing was changed on eno49 vf 0.",
            error.Message);
        Assert.StartsWith("igb does not support 'trust on' on VFs", Map(Errno.EPROTONOSUPPORT, VfSettingKind.Trust).Message);
    }

    [Fact]
    public void InvalidArgument_CarriesTheExtendedAck_AndForRatesWhatLimitsThem()
    {
        var error = Map(Errno.EINVAL, VfSettingKind.Rate, "VF rate out of range");

        Assert.Equal((ErrorCatalog.VfSettingRejected, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
        Assert.Equal(
            "The kernel rejected 'ip link set eno49 vf 0 min_tx_rate 10 max_tx_rate 100': Invalid argument: VF rate out of range. Nothing was changed on eno49 vf 0.",
            error.Message);
        Assert.Contains("link speed", error.Remedy);
        Assert.Null(Map(Errno.EINVAL, VfSettingKind.Trust).Remedy);
    }

    [Theory]
    [InlineData(Errno.EPERM)]
    [InlineData(Errno.EACCES)]
    public void PermissionDenied_SaysWhatIsNeeded(int errno)
    {
        var error = Map(errno, VfSettingKind.Trust);

        Assert.Equal((ErrorCatalog.NetlinkPermissionDenied, SriovErrorCategory.PermissionDenied), (error.Id, error.Category));
        Assert.Contains("CAP_NET_ADMIN", error.Remedy);
    }

    [Fact]
    public void NoDevice_IsInterfaceNotFound()
    {
        var error = Map(Errno.ENODEV, VfSettingKind.Trust);

        Assert.Equal((ErrorCatalog.InterfaceNotFound, SriovErrorCategory.ObjectNotFound, "eno49"), (error.Id, error.Category, error.Target));
    }

    [Fact]
    public void Outcome_ListsWhatWasNotAttempted()
    {
        var error = NetlinkErrors.ForVfChange(
            new NetlinkException(Errno.EPERM, "RTM_SETLINK"),
            new VfChangeContext("eno49", "igb", 0, Find(VfSettingKind.Vlan), [], [Find(VfSettingKind.Rate), Find(VfSettingKind.Trust)]));

        Assert.EndsWith("Nothing was changed on eno49 vf 0. Not attempted: min_tx_rate 10 max_tx_rate 100, trust on.", error.Message);
    }

    [Fact]
    public void UnparsableAnswer_IsVfSettingFailed_SayingTheOutcomeIsUnknown()
    {
        var error = NetlinkErrors.ForUnreadableAnswer(new NetlinkDecodeException("cut short"), new VfChangeContext("eno49", "igb", 0, Find(VfSettingKind.Trust), []));

        Assert.Equal((ErrorCatalog.VfSettingFailed, SriovErrorCategory.WriteError), (error.Id, error.Category));
        Assert.StartsWith("The kernel's answer to 'ip link set eno49 vf 0 trust on' did not parse (cut short); whether it was applied is unknown.", error.Message);
    }

    [Fact]
    public void AnyOtherErrno_IsVfSettingFailed_WithTheKernelsWords()
    {
        var error = Map(Errno.EBUSY, VfSettingKind.Trust);

        Assert.Equal((ErrorCatalog.VfSettingFailed, SriovErrorCategory.WriteError), (error.Id, error.Category));
        Assert.Equal(
            "Could not change eno49 vf 0: the kernel answered \"Device or resource busy\" to 'ip link set eno49 vf 0 trust on'. Nothing was changed on eno49 vf 0.",
            error.Message);
    }

    [Fact]
    public void UnknownDriver_IsSaidPlainly() =>
        Assert.StartsWith(
            "The PF's driver does not support",
            NetlinkErrors.ForVfChange(new NetlinkException(Errno.EOPNOTSUPP, "RTM_SETLINK"), new VfChangeContext("eno49", null, 0, Find(VfSettingKind.Trust), [])).Message);
}
