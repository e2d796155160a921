using SriovPS.Tests.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>The namespace tests this machine's kernel cannot run (it has no dummy links), on the lab's Debian kernel.</summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class NamespaceLabTests
{
    [SkippableFact]
    public void Dump_OfDummyLink_MatchesIpLinkShow_OnTheLabKernel()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        PrivateNetworkNamespace.SkipUnlessAvailable();
        NetlinkSocketTests.DummyLinkMatchesIpLinkShow();
    }

    [SkippableFact]
    public void SettingAVf_OnADummyLink_IsNotImplemented_OnTheLabKernel()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        PrivateNetworkNamespace.SkipUnlessAvailable();
        VfSettings.VfChangeNamespaceTests.AssertRefusedCleanly("dummy");
    }
}
