using System;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.VfSettings;

/// <summary>
/// Set-SriovVf's step made and taken back against a real kernel, on a link without SR-IOV (dummy,
/// veth) in a private network namespace: each attribute comes back refused, in the kernel's words,
/// naming the value that was sent.
/// </summary>
public sealed class VfSettingsStepNamespaceTests
{
    /// <summary>VF 0 as the kernel might report it: untagged, no MAC, spoof check off, trust not reported.</summary>
    private static readonly VfInfo Before = new() { Index = 0, MacAddress = new byte[6], Vlan = 0, Qos = 0, SpoofCheck = false };

    /// <summary>Makes sriovps-n0, a link of <paramref name="kind"/>, in the calling thread's namespace.</summary>
    private static void AddLink(string kind)
    {
        if (kind == "veth")
        {
            IpCommand.Run("link", "add", "sriovps-n0", "type", "veth", "peer", "name", "sriovps-n1");
        }
        else
        {
            IpCommand.Run("link", "add", "sriovps-n0", "type", kind);
        }
    }

    private static void SkipUnlessLinksOf(string kind)
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        Skip.IfNot(PrivateNetworkNamespace.SupportsLinkKind(kind), $"this kernel has no {kind} links; the lab kernel runs this case");
    }

    private static VfSettingsStep Step(HostSession session, string kind) =>
        new(
            session,
            "sriovps-n0",
            kind,
            KernelLinkMapping.CreateVf("", "", "sriovps-n0", 0, Before),
            VfSettingsPlan.For(VfSettingsRequest.Create(vlan: 42, spoofCheck: true, trust: true), KernelLinkMapping.CreateVf("", "", "sriovps-n0", 0, Before)),
            adminMac: null,
            rebindAsked: false,
            rebinding: false);

    [SkippableTheory]
    [InlineData("dummy")]
    [InlineData("veth")]
    public void Undo_SendsTheEarlierValues_WarnsOfOneTheDriverDidNotReport_AndFailsWithTheKernelsRefusal(string kind)
    {
        SkipUnlessLinksOf(kind);
        PrivateNetworkNamespace.Run(() =>
        {
            AddLink(kind);
            var asker = new ScriptedAsker();
            using var session = new HostSession(HostContext.FromRoot(null), asker);
            var step = Step(session, kind);

            var thrown = SriovAssert.Throws(SriovErrorCategory.NotImplemented, () => step.Step.Undo!(PlanDriver.Context(asker)));

            Assert.Equal(
                "sriovps-n0 vf 0: trust on is not taken back: the driver did not report the value it had before.",
                Assert.Single(asker.Told.Warnings));
            Assert.StartsWith(
                $"{kind} does not support setting a VLAN on VFs: the kernel answered \"Operation not supported\" to 'ip link set sriovps-n0 vf 0 vlan 0'.",
                Assert.Single(asker.Told.Failures).Message,
                StringComparison.Ordinal);
            Assert.Contains("'ip link set sriovps-n0 vf 0 spoofchk off'", thrown.Message, StringComparison.Ordinal);
            Assert.Equal(2, session.KernelLinks!.Requests);
        });
    }

    [SkippableTheory]
    [InlineData("dummy")]
    [InlineData("veth")]
    public void Apply_ThatTheKernelRefuses_ReportsEachRefusal_FailsWithTheLast_AndStillReadsTheVfBack(string kind)
    {
        SkipUnlessLinksOf(kind);
        PrivateNetworkNamespace.Run(() =>
        {
            AddLink(kind);
            var asker = new ScriptedAsker();
            using var session = new HostSession(HostContext.FromRoot(null), asker);
            var step = Step(session, kind);

            var thrown = SriovAssert.Throws(SriovErrorCategory.NotImplemented, () => step.Step.Apply(PlanDriver.Context(asker)));

            Assert.Equal(2, asker.Told.Failures.Count);
            Assert.Contains("'ip link set sriovps-n0 vf 0 trust on'", thrown.Message, StringComparison.Ordinal);
            Assert.Empty(asker.Told.Notes);
            Assert.True(step.FailedOnlyByRefusals);
        });
    }
}
