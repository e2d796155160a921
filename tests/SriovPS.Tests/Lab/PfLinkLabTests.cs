using System.Linq;
using System.Text.Json;
using SriovPS.Kernel;
using SriovPS.PfSettings;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// The code behind Set-SriovPf -LinkState and -Mtu on the lab's second igb PF: down and up again,
/// a jumbo MTU and back, each read back by iproute2, and a second run that sends nothing.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class PfLinkLabTests(VfCountLabTests.SecondIgbPf igb) : IClassFixture<VfCountLabTests.SecondIgbPf>
{
    [SkippableFact]
    public void DownThenUp_IsAppliedAndReadBack()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var links = new KernelLinks();
        string name = igb.Name;

        try
        {
            new PfLinkWriter(links).Apply(name, "igb", PfLinkPlan.For(links, name, up: false, mtu: null)!);
            Assert.False(LabHost.IsUp(name));
            Assert.Empty(PfLinkPlan.For(links, name, up: false, mtu: null)!.Changes);
        }
        finally
        {
            new PfLinkWriter(links).Apply(name, "igb", PfLinkPlan.For(links, name, up: true, mtu: null)!);
        }

        Assert.True(LabHost.IsUp(name));
    }

    [SkippableFact]
    public void JumboMtu_IsAppliedAndReadBack_ThenRestored()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var links = new KernelLinks();
        string name = igb.Name;
        int before = Mtu(name);

        try
        {
            var plan = PfLinkPlan.For(links, name, up: true, mtu: 9000)!;
            Assert.Equal(["mtu 9000"], plan.Changes.Select(c => c.IpArguments));

            new PfLinkWriter(links).Apply(name, "igb", plan);

            Assert.Equal(9000, Mtu(name));
            Assert.True(LabHost.IsUp(name));
            Assert.Empty(PfLinkPlan.For(links, name, up: true, mtu: 9000)!.Changes);
        }
        finally
        {
            new PfLinkWriter(links).Apply(name, "igb", PfLinkPlan.For(links, name, up: null, mtu: before)!);
        }

        Assert.Equal(before, Mtu(name));
    }

    private static int Mtu(string name) =>
        JsonDocument.Parse(LabHost.Ip("-j", "link", "show", "dev", name)).RootElement[0].GetProperty("mtu").GetInt32();
}
