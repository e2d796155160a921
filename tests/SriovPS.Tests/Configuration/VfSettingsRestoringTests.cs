using System.Linq;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// Taking back a VF's settings after the kernel took only some of them (a step of Set-SriovConfiguration
/// that failed half way): only what was applied is sent back.
/// </summary>
public sealed class VfSettingsRestoringTests
{
    /// <summary>A VF tagged 42 with a MAC, spoof check on, trust off, link auto, no rates.</summary>
    private static SriovVf Tagged() => KernelLinkMapping.CreateVf("0000:04:00.0", "0000:04:10.4", "eno49", 3, new VfInfo
    {
        Index = 3,
        MacAddress = [0x02, 0x53, 0x52, 0, 0, 0x10],
        Vlan = 42,
        Qos = 0,
        SpoofCheck = true,
        Trust = false,
        LinkState = IfLink.IFLA_VF_LINK_STATE_AUTO,
        MinTxRate = 0,
        MaxTxRate = 0,
    });

    private static VfSettingsPlan Plan() => VfSettingsPlan.For(
        VfSettingsRequest.Create(vlan: 100, macAddress: "02:53:52:00:00:20", trust: true, linkState: VfLinkState.Enable), Tagged());

    [Fact]
    public void OnlyTheAppliedKinds_AreRestored_InTheirOrder()
    {
        var plan = Plan();
        var applied = plan.Changes.Where(c => c.Kind is VfSettingKind.MacAddress or VfSettingKind.Trust).ToList();

        var restore = plan.Restoring(out var unknown, applied);

        Assert.Equal([VfSettingKind.MacAddress, VfSettingKind.Trust], restore.Changes.Select(c => c.Kind));
        Assert.Equal("mac 02:53:52:00:00:10 trust off", restore.IpArguments);
        Assert.Empty(unknown);
    }

    [Fact]
    public void NothingApplied_RestoresNothing()
    {
        Assert.Empty(Plan().Restoring(out var unknown, []).Changes);
        Assert.Empty(unknown);
    }

    [Fact]
    public void WithoutTheAppliedList_EveryChangeIsRestored()
    {
        var restore = Plan().Restoring(out _);

        Assert.Equal("vlan 42 mac 02:53:52:00:00:10 trust off state auto", restore.IpArguments);
    }
}
