using System.Linq;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Tests.Support;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.VfSettings;

/// <summary>
/// VF changes sent by our writer to a real kernel, on links without SR-IOV inside a private network
/// namespace: the kernel's refusal must come back as the mapped error, naming the attribute.
/// </summary>
public sealed class VfChangeNamespaceTests
{
    [SkippableTheory]
    [InlineData("dummy")]
    [InlineData("veth")]
    public void SettingAVf_OnALinkWithoutSriov_IsNotImplementedNamingDriverAndAttribute(string kind)
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        Skip.IfNot(PrivateNetworkNamespace.SupportsLinkKind(kind), $"this kernel has no {kind} links; the lab kernel runs this case");
        AssertRefusedCleanly(kind);
    }

    /// <summary>Every attribute Set-SriovVf sends, refused one by one, each error complete; nothing thrown unmapped.</summary>
    internal static void AssertRefusedCleanly(string kind) => PrivateNetworkNamespace.Run(() =>
    {
        if (kind == "veth")
        {
            IpCommand.Run("link", "add", "sriovps-n0", "type", "veth", "peer", "name", "sriovps-n1");
        }
        else
        {
            IpCommand.Run("link", "add", "sriovps-n0", "type", kind);
        }

        var request = VfSettingsRequest.Create(
            macAddress: "02:53:52:00:00:20", vlan: 42, qos: 3, spoofCheck: true, trust: true, linkState: VfLinkState.Enable, minTxRate: 0, maxTxRate: 100);
        var untouched = new Native.Netlink.VfInfo { Index = 0, MacAddress = new byte[6], Vlan = 0, Qos = 0, MinTxRate = 0, MaxTxRate = 0 };
        var plan = VfSettingsPlan.For(request, KernelLinkMapping.CreateVf("", "", "sriovps-n0", 0, untouched));
        using var links = new KernelLinks();

        var outcome = new VfSettingsWriter(links).Apply("sriovps-n0", kind, 0, plan);

        Assert.Empty(outcome.Applied);
        Assert.Equal(6, outcome.Failures.Count);
        Assert.Equal(6, links.Requests);
        Assert.All(outcome.Failures, failure =>
        {
            Assert.Equal(ErrorCatalog.VfSettingNotSupported, failure.Id);
            Assert.Equal(SriovErrorCategory.NotImplemented, failure.Category);
            Assert.Equal("sriovps-n0 vf 0", failure.Target);
            Assert.EndsWith("Nothing was changed on sriovps-n0 vf 0.", failure.Message);
        });
        Assert.Equal(
            [
                $"{kind} does not support setting a VLAN on VFs: the kernel answered \"Operation not supported\" to 'ip link set sriovps-n0 vf 0 vlan 42 qos 3'. Nothing was changed on sriovps-n0 vf 0.",
                $"{kind} does not support setting a MAC address on VFs",
                $"{kind} does not support setting rates on VFs",
                $"{kind} does not support setting spoof-check on VFs",
                $"{kind} does not support setting trust on VFs",
                $"{kind} does not support setting link-state on VFs",
            ],
            outcome.Failures.Select((f, i) => i == 0 ? f.Message : f.Message[..f.Message.IndexOf(':')]));
    });
}
