using System.Linq;
using SriovPS.Native.Netlink;
using SriovPS.PfSettings;
using Xunit;

namespace SriovPS.Tests.PfSettings;

/// <summary>A PF's link plan against the kernel's description of it, without a kernel.</summary>
public sealed class PfLinkPlanTests
{
    [Fact]
    public void For_KeepsTheStateAndMtuItChanges_ForTakingThemBack()
    {
        var now = new LinkInfo { Name = "eno49", Mtu = 1500, Flags = 0 };

        var plan = PfLinkPlan.For("eno49", now, up: true, mtu: 9000);

        Assert.Equal(["mtu 9000", "up"], plan.Changes.Select(c => c.IpArguments));
        Assert.False(plan.UpBefore);
        Assert.Equal(1500, plan.MtuBefore);
    }

    [Fact]
    public void For_KeepsNothingToTakeBack_OfWhatAlreadyWasAsAsked()
    {
        var now = new LinkInfo { Name = "eno49", Mtu = 9000, Flags = LinkChanges.IFF_UP };

        var plan = PfLinkPlan.For("eno49", now, up: true, mtu: 9000);

        Assert.Empty(plan.Changes);
        Assert.Null(plan.UpBefore);
        Assert.Null(plan.MtuBefore);
    }
}
