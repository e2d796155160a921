using System;
using System.Linq;
using System.Text.Json;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.VfDriver;
using SriovPS.VfSettings;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// VF settings changed by the code behind Set-SriovVf on a real igb PF and on netdevsim, then read back
/// both by our code and by <c>ip -j -d link show</c>; what igb cannot do must come back as the mapped
/// error with the kernel's own words.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class SetVfLabTests(SetVfLabTests.IgbWithVfs igb) : IClassFixture<SetVfLabTests.IgbWithVfs>
{
    /// <summary>The second igb PF (the first is configured by the read tests), up, with 7 VFs on igbvf; 0 VFs afterwards.</summary>
    public sealed class IgbWithVfs() : IgbPfWithVfs(1)
    {
        protected override void Configure()
        {
            LabHost.Ip("link", "set", Name, "up");
            LabHost.WaitUntil(
                () => Enumerable.Range(0, 7).All(i => LabHost.LinkName($"/sys/bus/pci/devices/{PciAddress}/virtfn{i}/driver") == "igbvf"),
                "igbvf bound to 7 VFs");
        }
    }

    [SkippableFact]
    public void Igb_MacVlanQosSpoofCheckTrust_ReadBackByUsAndByIp_AndASecondCallSendsNothing()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var request = VfSettingsRequest.Create(macAddress: "02:53:52:00:03:01", vlan: 42, qos: 3, spoofCheck: false, trust: true);

        var first = SetPciVf(igb.PciAddress!, 1, request);

        Assert.Empty(first.Outcome.Failures);
        Assert.Equal(
            ["vlan 42 qos 3", "mac 02:53:52:00:03:01", "spoofchk off", "trust on"],
            first.Outcome.Applied.Select(c => c.IpArguments));
        var vf = ReadPciVf(igb.PciAddress!, 1);
        Assert.Equal(("02:53:52:00:03:01", 42, 3, "802.1Q", false, true), (vf.MacAddress, vf.Vlan, vf.Qos, vf.VlanProtocol, vf.SpoofCheck, vf.Trust));
        VfSettingsLabTests.AssertVfObjectMatches(IpVf(igb.Name, 1), vf);

        var second = SetPciVf(igb.PciAddress!, 1, request);

        Assert.Empty(second.Plan.Changes);
        Assert.Equal(["vlan 42 qos 3", "mac 02:53:52:00:03:01", "spoofchk off", "trust on"], second.Plan.Unchanged);
        Assert.Equal(1, second.Requests);

        // Only the QoS named: the VLAN is kept, one attribute is sent.
        var qosOnly = SetPciVf(igb.PciAddress!, 1, VfSettingsRequest.Create(qos: 5));
        Assert.Equal(["vlan 42 qos 5"], qosOnly.Outcome.Applied.Select(c => c.IpArguments));
        Assert.Equal((42, 5), (ReadPciVf(igb.PciAddress!, 1).Vlan, ReadPciVf(igb.PciAddress!, 1).Qos));
    }

    [SkippableFact]
    public void Igb_MaxTxRate_OnceThePfHasCarrier_IsSetAndReadBackThenRemoved()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        LabHost.WaitUntil(() => LabHost.Read($"/sys/class/net/{igb.Name}/carrier") == "1", $"carrier on {igb.Name}");

        var limited = SetPciVf(igb.PciAddress!, 2, VfSettingsRequest.Create(maxTxRate: 100));

        Assert.Empty(limited.Outcome.Failures);
        Assert.Equal(["min_tx_rate 0 max_tx_rate 100"], limited.Outcome.Applied.Select(c => c.IpArguments));
        Assert.Equal(100, ReadPciVf(igb.PciAddress!, 2).MaxTxRate);
        Assert.Equal(100, IpVf(igb.Name, 2).GetProperty("rate").GetProperty("max_tx").GetInt32());

        var removed = SetPciVf(igb.PciAddress!, 2, VfSettingsRequest.Create(maxTxRate: 0));

        Assert.Empty(removed.Outcome.Failures);
        Assert.Equal(0, IpVf(igb.Name, 2).GetProperty("rate").GetProperty("max_tx").GetInt32());
    }

    [SkippableFact]
    public void Igb_LinkStateMinRateAnd8021ad_AreMappedErrorsInTheKernelsWords_AndTheRestIsApplied()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var before = IpVf(igb.Name, 3).GetRawText();

        var linkState = Assert.Single(SetPciVf(igb.PciAddress!, 3, VfSettingsRequest.Create(linkState: VfLinkState.Enable)).Outcome.Failures);
        var minRate = Assert.Single(SetPciVf(igb.PciAddress!, 3, VfSettingsRequest.Create(minTxRate: 10, maxTxRate: 100)).Outcome.Failures);
        var qinq = Assert.Single(SetPciVf(igb.PciAddress!, 3, VfSettingsRequest.Create(vlan: 10, vlanProtocol: "802.1ad")).Outcome.Failures);

        Assert.Equal((ErrorCatalog.VfSettingNotSupported, SriovErrorCategory.NotImplemented), (linkState.Id, linkState.Category));
        Assert.Equal(
            $"igb does not support setting link-state on VFs: the kernel answered \"Operation not supported\" to 'ip link set {igb.Name} vf 3 state enable'. Nothing was changed on {igb.Name} vf 3.",
            linkState.Message);
        Assert.Equal((ErrorCatalog.VfSettingRejected, SriovErrorCategory.InvalidArgument), (minRate.Id, minRate.Category));
        Assert.StartsWith($"The kernel rejected 'ip link set {igb.Name} vf 3 min_tx_rate 10 max_tx_rate 100': Invalid argument", minRate.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorCatalog.VfSettingNotSupported, SriovErrorCategory.NotImplemented), (qinq.Id, qinq.Category));
        Assert.StartsWith("igb does not support 802.1ad (QinQ) VLAN tags on VFs: the kernel answered \"Protocol not supported\"", qinq.Message, StringComparison.Ordinal);
        Assert.Equal(before, IpVf(igb.Name, 3).GetRawText());

        // In one call, what the driver can do is applied and said; what it cannot is the error.
        var mixed = SetPciVf(igb.PciAddress!, 3, VfSettingsRequest.Create(vlan: 7, trust: true, linkState: VfLinkState.Disable));
        Assert.Equal(["vlan 7", "trust on"], mixed.Outcome.Applied.Select(c => c.IpArguments));
        Assert.EndsWith($"Applied to {igb.Name} vf 3: vlan 7, trust on.", Assert.Single(mixed.Outcome.Failures).Message, StringComparison.Ordinal);
        Assert.Equal(7, IpVf(igb.Name, 3).GetProperty("vlan_list")[0].GetProperty("vlan").GetInt32());
    }

    [SkippableFact]
    public void Igb_ClearMacAddress_ReturnsTheVfToAllZeros()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.Empty(SetPciVf(igb.PciAddress!, 4, VfSettingsRequest.Create(macAddress: "02:53:52:00:03:04")).Outcome.Failures);
        Assert.Equal("02:53:52:00:03:04", IpVf(igb.Name, 4).GetProperty("address").GetString());

        var cleared = SetPciVf(igb.PciAddress!, 4, VfSettingsRequest.Create(clearMacAddress: true));

        Assert.Empty(cleared.Outcome.Failures);
        Assert.Equal(["mac 00:00:00:00:00:00"], cleared.Outcome.Applied.Select(c => c.IpArguments));
        Assert.Equal("00:00:00:00:00:00", IpVf(igb.Name, 4).GetProperty("address").GetString());
        Assert.Equal("00:00:00:00:00:00", ReadPciVf(igb.PciAddress!, 4).MacAddress);
        Assert.Empty(SetPciVf(igb.PciAddress!, 4, VfSettingsRequest.Create(clearMacAddress: true)).Plan.Changes);
    }

    [SkippableFact]
    public void Igb_Rebind_MakesTheVfInterfaceCarryTheAdminMac()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        const string admin = "02:53:52:00:03:05";
        var files = new HostFileSystem("/");
        var set = SetPciVf(igb.PciAddress!, 5, VfSettingsRequest.Create(macAddress: admin));
        Assert.Empty(set.Outcome.Failures);
        var vf = ReadPciVf(igb.PciAddress!, 5);
        Assert.Equal(("igbvf", admin), (vf.Driver, vf.MacAddress));
        Assert.NotNull(vf.Name);
        Assert.Equal(VfRebindNeed.Needed, VfRebind.Assess(vf, SriovPS.Values.MacAddress.TryParse(admin), files));

        string oldIndex = LabHost.Read($"/sys/class/net/{vf.Name}/ifindex");
        using var links = new KernelLinks(CallbackReport.Throwing);

        var (name, setDirectly) = VfRebind.RebindAndAdopt(links, files, vf, SriovPS.Values.MacAddress.TryParse(admin)!, TimeSpan.FromSeconds(10));

        // A new interface (the driver probed the VF again) that carries the administrative MAC.
        Assert.NotNull(name);
        Assert.NotEqual(oldIndex, LabHost.Read($"/sys/class/net/{name}/ifindex"));
        Assert.Equal(admin, LabHost.Read($"/sys/class/net/{name}/address"));
        Assert.Equal("igbvf", LabHost.LinkName($"/sys/bus/pci/devices/{vf.PciAddress}/driver"));

        // QEMU's igb never completes igbvf's reset handshake ("PF still in reset state" in the kernel
        // log), so here the driver cannot read the MAC at probe and it is set on the interface directly.
        Console.WriteLine($"igbvf took the administrative MAC {(setDirectly ? "only when set on the interface" : "at probe")}.");
        Assert.Equal(VfRebindNeed.NotNeeded, VfRebind.Assess(ReadPciVf(igb.PciAddress!, 5), SriovPS.Values.MacAddress.TryParse(admin), files));
    }

    [SkippableFact]
    public void Netdevsim_EveryAttribute_IsSetAndReadBack_AndNamedMembersKeepTheOthers()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);

        // Rates first: netdevsim refuses rate changes once in switchdev mode, and a fresh device is in legacy mode.
        using var nsim = new NetdevsimLab(22, 4);
        var request = VfSettingsRequest.Create(
            macAddress: "02:53:52:00:04:01", vlan: 42, qos: 3, vlanProtocol: "802.1ad", spoofCheck: true, trust: true,
            linkState: VfLinkState.Disable, minTxRate: 10, maxTxRate: 100);

        var first = SetNetdevsimVf(nsim.Name, 1, request);

        Assert.Empty(first.Outcome.Failures);
        Assert.Equal(
            ["vlan 42 qos 3 proto 802.1ad", "mac 02:53:52:00:04:01", "min_tx_rate 10 max_tx_rate 100", "spoofchk on", "trust on", "state disable"],
            first.Outcome.Applied.Select(c => c.IpArguments));
        var vf = ReadNetdevsimVf(nsim.Name, 1);
        Assert.Equal(
            ("02:53:52:00:04:01", 42, 3, "802.1ad", true, true, VfLinkState.Disable, 10, 100),
            (vf.MacAddress, vf.Vlan, vf.Qos, vf.VlanProtocol, vf.SpoofCheck, vf.Trust, vf.LinkState, vf.MinTxRate, vf.MaxTxRate));
        VfSettingsLabTests.AssertVfObjectMatches(IpVf(nsim.Name, 1), vf);
        Assert.Empty(SetNetdevsimVf(nsim.Name, 1, request).Plan.Changes);

        var partial = SetNetdevsimVf(nsim.Name, 1, VfSettingsRequest.Create(qos: 6, minTxRate: 20, linkState: VfLinkState.Auto));

        Assert.Equal(["vlan 42 qos 6 proto 802.1ad", "min_tx_rate 20 max_tx_rate 100", "state auto"], partial.Outcome.Applied.Select(c => c.IpArguments));
        VfSettingsLabTests.AssertVfObjectMatches(IpVf(nsim.Name, 1), ReadNetdevsimVf(nsim.Name, 1));

        var untagged = SetNetdevsimVf(nsim.Name, 1, VfSettingsRequest.Create(vlan: 0));
        Assert.Equal(["vlan 0"], untagged.Outcome.Applied.Select(c => c.IpArguments));
        Assert.Equal((0, 0, (string?)null), (ReadNetdevsimVf(nsim.Name, 1).Vlan, ReadNetdevsimVf(nsim.Name, 1).Qos, ReadNetdevsimVf(nsim.Name, 1).VlanProtocol));
    }

    private sealed record SetResult(VfSettingsPlan Plan, VfSettingsOutcome Outcome, int Requests);

    /// <summary>What Set-SriovVf does for one VF of a PCI PF: read it, plan against it, send the plan.</summary>
    private static SetResult SetPciVf(string pfAddress, int index, VfSettingsRequest request)
    {
        using var links = new KernelLinks(CallbackReport.Throwing);
        var discovery = new SriovDiscovery(new HostFileSystem("/"), links: links);
        var pf = discovery.GetPfs().Single(p => p.PciAddress == pfAddress);
        var plan = VfSettingsPlan.For(request, discovery.GetVfs(pf).Single(v => v.Index == index));
        var outcome = new VfSettingsWriter(links).Apply(pf.Name!, pf.Driver, index, plan);
        return new SetResult(plan, outcome, links.Requests);
    }

    private static SriovVf ReadPciVf(string pfAddress, int index)
    {
        using var links = new KernelLinks(CallbackReport.Throwing);
        var discovery = new SriovDiscovery(new HostFileSystem("/"), links: links);
        return discovery.GetVfs(discovery.GetPfs().Single(p => p.PciAddress == pfAddress)).Single(v => v.Index == index);
    }

    /// <summary>netdevsim's VFs are not PCI functions, so the VF is read from the kernel alone.</summary>
    private static SetResult SetNetdevsimVf(string pfName, int index, VfSettingsRequest request)
    {
        using var links = new KernelLinks(CallbackReport.Throwing);
        var plan = VfSettingsPlan.For(request, ReadNetdevsimVf(pfName, index));
        var outcome = new VfSettingsWriter(links).Apply(pfName, "netdevsim", index, plan);
        return new SetResult(plan, outcome, links.Requests);
    }

    private static SriovVf ReadNetdevsimVf(string pfName, int index)
    {
        using var links = new KernelLinks(CallbackReport.Throwing);
        var kernel = links.ReadWithVfs(pfName, statistics: false)!.Vfs.Single(v => v.Index == index);
        return KernelLinkMapping.CreateVf(pfName, pfName, pfName, index, kernel);
    }

    private static JsonElement IpVf(string pfName, int index) =>
        VfSettingsLabTests.IpDetails(pfName).GetProperty("vfinfo_list").EnumerateArray().Single(v => v.GetProperty("vf").GetInt32() == index);
}
