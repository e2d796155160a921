using System;
using System.Linq;
using System.Text.Json;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.PfSettings;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.PfSettings;

/// <summary>
/// PF link state and MTU sent by our writer to the real kernel, on a veth pair in a private network
/// namespace: applied and read back by iproute2, a second run sends nothing, and the kernel's refusal
/// of an MTU beyond the device's maximum comes back as the mapped error with its own words.
/// </summary>
public sealed class PfLinkNamespaceTests
{
    [SkippableFact]
    public void MtuAndUp_AreAppliedInThatOrder_AndASecondRunSendsNothing() => InNamespace(() =>
    {
        using var links = new KernelLinks();
        var plan = PfLinkPlan.For("sriovps-n0", links.Read("sriovps-n0")!, up: true, mtu: 9000);
        Assert.Equal(["mtu 9000", "up"], plan.Changes.Select(c => c.IpArguments));

        var applied = new PfLinkWriter(links).Apply("sriovps-n0", "veth", plan);

        Assert.Equal(["mtu 9000", "up"], applied);
        var shown = Show("sriovps-n0");
        Assert.Equal(9000, shown.GetProperty("mtu").GetInt32());
        Assert.Contains("UP", shown.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        int before = links.Requests;
        var again = PfLinkPlan.For("sriovps-n0", links.Read("sriovps-n0")!, up: true, mtu: 9000);
        Assert.Empty(again.Changes);
        Assert.Equal(["sriovps-n0 already has MTU 9000", "sriovps-n0 is already administratively up"], again.Unchanged);
        Assert.Equal(before + 1, links.Requests);
    });

    [SkippableFact]
    public void Down_ClearsOnlyTheUpFlag() => InNamespace(() =>
    {
        IpCommand.Run("link", "set", "sriovps-n0", "up");
        using var links = new KernelLinks();

        new PfLinkWriter(links).Apply("sriovps-n0", "veth", PfLinkPlan.For("sriovps-n0", links.Read("sriovps-n0")!, up: false, mtu: null));

        Assert.DoesNotContain("UP", Show("sriovps-n0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1500, Show("sriovps-n0").GetProperty("mtu").GetInt32());
    });

    [SkippableFact]
    public void Reversal_BringsBackTheMtuAndStateThePlanChanged() => InNamespace(() =>
    {
        using var links = new KernelLinks();
        var plan = PfLinkPlan.For("sriovps-n0", links.Read("sriovps-n0")!, up: true, mtu: 9000);
        new PfLinkWriter(links).Apply("sriovps-n0", "veth", plan);

        var back = plan.Reversal(links, "sriovps-n0")!;
        new PfLinkWriter(links).Apply("sriovps-n0", "veth", back);

        Assert.Equal(["mtu 1500", "down"], back.Changes.Select(c => c.IpArguments));
        Assert.Equal(1500, Show("sriovps-n0").GetProperty("mtu").GetInt32());
        Assert.DoesNotContain("UP", Show("sriovps-n0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    });

    [SkippableFact]
    public void ThePfSettingsLinkStep_IsMade_ThenTakenBack_ToTheStateAndMtuItFound() => InNamespace(() =>
    {
        using var session = new HostSession(HostContext.FromRoot(null), new ScriptedAsker());
        var pf = new SriovPf("0000:00:00.0") { Name = "sriovps-n0", Driver = "veth" };
        var step = Assert.Single(new PfSettingsPlanner(session, new PfSettingsRequest(true, 9000, null, null)).Plan(pf)!.Steps);
        Assert.Equal(("0000:00:00.0 (sriovps-n0)", "ip link set sriovps-n0 mtu 9000 up"), (step.Target, step.Action));

        step.Apply(PlanDriver.Context());
        Assert.Equal(9000, Show("sriovps-n0").GetProperty("mtu").GetInt32());
        step.Undo!(PlanDriver.Context());

        Assert.Equal(1500, Show("sriovps-n0").GetProperty("mtu").GetInt32());
        Assert.DoesNotContain("UP", Show("sriovps-n0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    });

    [SkippableFact]
    public void InterfaceRemovedAfterThePlan_IsInterfaceNotFound_NamingIt() => InNamespace(() =>
    {
        using var links = new KernelLinks();
        var plan = PfLinkPlan.For("sriovps-n0", links.Read("sriovps-n0")!, up: true, mtu: 9000);
        IpCommand.Run("link", "del", "sriovps-n0");

        var error = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => new PfLinkWriter(links).Apply("sriovps-n0", "veth", plan));

        Assert.Equal((ErrorCatalog.InterfaceNotFound, "sriovps-n0"), (error.Id, error.Target));
        Assert.Equal("The kernel has no interface 'sriovps-n0' any more: it was removed or renamed. Nothing was changed on sriovps-n0.", error.Message);
    });

    [Theory]
    [InlineData(95, nameof(ErrorCatalog.PfSettingNotSupported), "igb does not support 'ip link set eno49 up': the kernel answered \"Operation not supported\". Applied to eno49: mtu 9000.")]
    [InlineData(22, nameof(ErrorCatalog.PfSettingRejected), "The kernel rejected 'ip link set eno49 up': Invalid argument. Applied to eno49: mtu 9000.")]
    [InlineData(1, nameof(ErrorCatalog.NetlinkPermissionDenied), "The kernel refused 'ip link set eno49 up': \"Operation not permitted\". Applied to eno49: mtu 9000.")]
    [InlineData(5, nameof(ErrorCatalog.PfSettingFailed), "Could not run the equivalent of 'ip link set eno49 up': the kernel answered \"Input/output error\". Applied to eno49: mtu 9000.")]
    public void Refused_MapsTheErrnoAndSaysWhatWasApplied(int errno, string errorId, string message)
    {
        var change = new PfLinkChange("up", Native.Netlink.LinkChanges.BuildSetAdminState("eno49", true));

        var error = PfLinkWriter.Refused(new Native.Netlink.NetlinkException(errno, "RTM_SETLINK"), "eno49", "igb", change, ["mtu 9000"]);

        Assert.Equal((errorId, message), (error.ErrorId, error.Message));
    }

    [Theory]
    [InlineData(67)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Validate_OutOfRangeMtu_IsInvalidPfSetting(int mtu)
    {
        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => PfLinkPlan.Validate(mtu));
        Assert.Equal((ErrorCatalog.InvalidPfSetting, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
    }

    private static void InNamespace(Action body)
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            IpCommand.Run("link", "add", "sriovps-n0", "type", "veth", "peer", "name", "sriovps-n1");
            body();
        });
    }

    private static JsonElement Show(string name) => JsonDocument.Parse(IpCommand.Run("-j", "link", "show", "dev", name)).RootElement[0];
}
