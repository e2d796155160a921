using System;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.PfSettings;
using SriovPS.Snapshot;
using SriovPS.Tests.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.PfSettings;

/// <summary>
/// Set-SriovPf -HwTcOffload planned on a copied I350 tree (nothing known: the step is shown and refused when
/// confirmed), with -Persist per network manager, and on a snapshot of the ConnectX-5 in switchdev mode whose
/// kernel.json saved hw-tc-offload of the PF and two of its representors.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PfHwTcOffloadTests : IDisposable
{
    private const string Cx5Pf = "0000:0a:00.0";
    private const string Cx5Name = "enp10s0f0np0";
    private const string KeyFile = "/etc/NetworkManager/system-connections/sriovps-eno49.nmconnection";

    private readonly HostTree _tree = HostTree.FromFixture("i350-4port");
    private readonly HostTree _directory = HostTree.Empty();

    public void Dispose()
    {
        _tree.Dispose();
        _directory.Dispose();
    }

    private static PfSettingsRequest Offload(bool on, bool persist = false) => new(null, null, null, null, persist, HwTcOffload: on);

    [Fact]
    public void OnACopiedTree_TheStepIsShown_AndLeftToTheRunningKernel()
    {
        using var session = new HostSession(HostContext.FromRoot(_tree.Root), new ScriptedAsker());
        var pf = session.AllPfs().Single(p => p.Name == "eno49");

        var plan = new PfSettingsPlanner(session, Offload(true)).Plan(pf)!;

        var step = Assert.Single(plan.Steps);
        Assert.Equal(("0000:04:00.0 (eno49)", "set hw-tc-offload on for eno49"), (step.Target, step.Action));
        Assert.Equal("PF settings can only be changed in the running kernel.", step.LiveHostOnly);
        Assert.Null(pf.HwTcOffload);
    }

    [Fact]
    public void Persist_OnASystemdNetworkdHost_IsRefusedBeforeAnything_NamingTheManager()
    {
        _tree.WriteFile("/usr/lib/systemd/systemd-networkd", "");
        _tree.WriteFile("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", "");
        using var session = new HostSession(HostContext.FromRoot(_tree.Root), new ScriptedAsker());
        var pf = session.AllPfs().Single(p => p.Name == "eno49");

        var error = SriovAssert.Throws(SriovErrorCategory.NotImplemented, () => new PfSettingsPlanner(session, Offload(true, persist: true)).Plan(pf));

        Assert.Equal(ErrorCatalog.NetworkSettingNotPersistable, error.Id);
        Assert.Contains("systemd-networkd", error.Message);
        Assert.Contains("no setting for hw-tc-offload", error.Message);
        Assert.Contains("systemd unit", error.Remedy);
        Assert.False(Directory.Exists(_tree.PathOf("/etc/systemd/network")) && Directory.EnumerateFiles(_tree.PathOf("/etc/systemd/network")).Any());
    }

    [Fact]
    public void Persist_OnANetworkManagerHost_WritesTheEthtoolKeyIntoThePfsKeyfile()
    {
        _tree.WriteFile("/usr/sbin/NetworkManager", "");
        _tree.WriteFile("/etc/systemd/system/multi-user.target.wants/NetworkManager.service", "");
        var asker = new ScriptedAsker();
        using var session = new HostSession(HostContext.FromRoot(_tree.Root), asker);
        var pf = session.AllPfs().Single(p => p.Name == "eno49");

        var plan = new PfSettingsPlanner(session, Offload(true, persist: true)).Plan(pf)!;
        PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal(
            ["set hw-tc-offload on for eno49", $"write {KeyFile}: up, no address, the driver's default MTU, hw-tc-offload on"],
            plan.Steps.Select(s => s.Action));
        string text = File.ReadAllText(_tree.PathOf(KeyFile));
        Assert.Contains("\n[ethtool]\nfeature-hw-tc-offload=true\n", text);

        // The file is the module's: a later -Mtu -Persist keeps the feature.
        var parsed = new SriovPS.Persistence.NetworkFiles.NetworkManagerPfWriter().Parse(text, "eno49");
        Assert.Equal(new SriovPS.Persistence.PfNetworkSettings("eno49", true, null, true), parsed);
    }

    [Fact]
    public void OnASnapshot_ThePfAndItsChangeableRepresentorsArePlanned_AFixedOneIsSaid()
    {
        using var session = Cx5Snapshot(pfState: new NetdevFeatureState(false, true));
        var pf = session.AllPfs().Single(p => p.PciAddress == Cx5Pf);
        Assert.False(pf.HwTcOffload);
        Assert.Equal(EswitchMode.Switchdev, pf.EswitchMode);

        var plan = new PfSettingsPlanner(session, Offload(true)).Plan(pf)!;

        Assert.Equal(
            [
                $"set hw-tc-offload on for {Cx5Name} (and its representors eth_rep0)",
                $"set hw-tc-offload on for eth_rep0 (representor of {Cx5Name})",
            ],
            plan.Steps.Select(s => s.Action));
        Assert.Contains(plan.Report.Notes, n => n.StartsWith("eth_rep1 (representor of VF 1 of enp10s0f0np0): its driver, mlx5_core, fixes hw-tc-offload off", StringComparison.Ordinal));
    }

    [Fact]
    public void OnASnapshot_WhenThePfAlreadyHasIt_OnlyTheRepresentorsAreLeft()
    {
        using var session = Cx5Snapshot(pfState: new NetdevFeatureState(true, true));
        var pf = session.AllPfs().Single(p => p.PciAddress == Cx5Pf);

        var plan = new PfSettingsPlanner(session, Offload(true)).Plan(pf)!;

        Assert.Equal(["eth_rep0"], plan.Steps.Select(s => s.Target));
        Assert.Contains($"{Cx5Name} already has hw-tc-offload on: nothing sent.", plan.Report.Notes);
    }

    [Fact]
    public void OnASnapshot_APfWhoseDriverFixesIt_IsRefusedNamingTheInterfaceAndDriver()
    {
        using var session = Cx5Snapshot(pfState: new NetdevFeatureState(false, false));
        var pf = session.AllPfs().Single(p => p.PciAddress == Cx5Pf);

        var error = SriovAssert.Throws(SriovErrorCategory.NotImplemented, () => new PfSettingsPlanner(session, Offload(true)).Plan(pf));

        Assert.Equal(ErrorCatalog.OffloadFeatureFixed, error.Id);
        Assert.StartsWith($"hw-tc-offload is fixed off for {Cx5Name}: its driver, mlx5_core,", error.Message);
    }

    [Fact]
    public void SavedKernel_WithoutHwTcOffload_ReadsAsNotKnown_AndWithIt_RoundTrips()
    {
        var kernel = new SavedKernel();
        kernel.HwTcOffload["eth0"] = new NetdevFeatureState(true, false);
        string path = Path.Combine(_directory.Root, "kernel.json");
        kernel.Write(path);
        Assert.Equal(new NetdevFeatureState(true, false), SavedKernel.Read(path).HwTcOffload["eth0"]);

        File.WriteAllText(path, """{"links": [], "addresses": {}, "eswitchModes": {}, "holders": []}""");
        Assert.Empty(SavedKernel.Read(path).HwTcOffload);
    }

    /// <summary>The ConnectX-5 saved in switchdev mode, with representors of VF 0 (changeable, off) and VF 1 (fixed off).</summary>
    private HostSession Cx5Snapshot(NetdevFeatureState pfState)
    {
        using var tree = HostTree.FromFixture("connectx5");
        string path = Path.Combine(_directory.Root, "cx5-" + Guid.NewGuid().ToString("N"));
        SnapshotTrees.Save(tree.Root, path);
        // Representors have no PCI device of their own: mlx5 puts them under the PF's, beside its uplink.
        const string Function = "/sys/devices/pci0000:08/0000:08:02.0/0000:0a:00.0";
        File.AppendAllText(Path.Combine(path, "host.hosttree"), string.Join('\n',
            $"file {Function}/net/{Cx5Name}/phys_switch_id 8cfb750003a1c4b8",
            $"file {Function}/net/{Cx5Name}/phys_port_name p0",
            $"link {Function}/net/{Cx5Name}/device ../../../0000:0a:00.0",
            $"file {Function}/net/eth_rep0/phys_switch_id 8cfb750003a1c4b8",
            $"file {Function}/net/eth_rep0/phys_port_name pf0vf0",
            $"link {Function}/net/eth_rep0/device ../../../0000:0a:00.0",
            "link /sys/class/net/eth_rep0 ../../devices/pci0000:08/0000:08:02.0/0000:0a:00.0/net/eth_rep0",
            $"file {Function}/net/eth_rep1/phys_switch_id 8cfb750003a1c4b8",
            $"file {Function}/net/eth_rep1/phys_port_name pf0vf1",
            $"link {Function}/net/eth_rep1/device ../../../0000:0a:00.0",
            "link /sys/class/net/eth_rep1 ../../devices/pci0000:08/0000:08:02.0/0000:0a:00.0/net/eth_rep1",
            string.Empty));
        var kernel = new SavedKernel();
        kernel.Links[Cx5Name] = SavedHostBuilder.Link(Cx5Name, 4, [0xb8, 0xce, 0xf6, 0x01, 0x02, 0x03], 8);
        kernel.EswitchModes[Cx5Pf] = EswitchMode.Switchdev;
        kernel.HwTcOffload[Cx5Name] = pfState;
        kernel.HwTcOffload["eth_rep0"] = new NetdevFeatureState(false, true);
        kernel.HwTcOffload["eth_rep1"] = new NetdevFeatureState(false, false);
        SavedHostBuilder.AddLiveParts(path, kernel, SriovPS.Libvirt.LibvirtInventory.FromStates([], [], []));
        return new HostSession(HostContext.FromRoot(path), new ScriptedAsker(), readsPfKernelState: true);
    }
}
