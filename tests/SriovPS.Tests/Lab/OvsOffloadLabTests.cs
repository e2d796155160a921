using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using SriovPS.Consumers;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.PfSettings;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Test-SriovHost -For OvsOffload's checks on netdevsim, the kernel's own switchdev device, with Open
/// vSwitch started in the guest: each check fails with its remedy, the remedy is made (the module's own
/// step where the remedy is a SriovPS command), and the check passes, judged against devlink, ethtool,
/// ovs-vsctl and iproute2's own account (<c>ip -j -d link show</c>: switch id, port name, flags, master).
/// <para>
/// netdevsim's PF is not a PCI function (its VFs have no PCI device, driver or IOMMU group), so discovery
/// does not list it as a PF, and this test gives the checks the PF as discovery would describe it.
/// </para>
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class OvsOffloadLabTests
{
    private const int Id = 31;
    private const string Device = "netdevsim31";
    private const string Bridge = "br-sriov";
    private const string OvsCtl = "/usr/share/openvswitch/scripts/ovs-ctl";
    private readonly HostFileSystem _files = new("/");

    [SkippableFact]
    public void EachOvsOffloadCheck_FailsWithItsRemedy_ThenPassesOnceTheRemedyIsMade()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Skip.IfNot(File.Exists(OvsCtl) && File.Exists("/usr/bin/ovs-vsctl"), "Open vSwitch (openvswitch-switch) is not installed");
        Skip.IfNot(File.Exists("/usr/sbin/ethtool"), "ethtool is not installed");
        using var nsim = new NetdevsimLab(Id, 2);
        using var modes = new EswitchModes();
        using var features = new NetdevFeatures();
        string pf = nsim.Name;
        try
        {
            LabHost.Ip("link", "set", "dev", pf, "up");

            // Legacy mode: no representors, and Open vSwitch not running.
            var checks = Checks(modes, features, pf);
            Assert.Equal("legacy", DevlinkMode());
            AssertFails(checks, "Ovs.Switchdev", "-EswitchMode Switchdev");
            Assert.Equal(SriovCheckStatus.Fail, Check(checks, "Ovs.Representors").Status);
            AssertFails(checks, "Ovs.Running", "openvswitch-switch");

            // The step Set-SriovPf -EswitchMode Switchdev makes.
            modes.Set("netdevsim", Device, EswitchMode.Switchdev, pf, "netdevsim");
            LabHost.WaitUntil(() => Representors().Count == 2, "a representor per VF");
            Assert.Equal("switchdev", DevlinkMode());
            checks = Checks(modes, features, pf);
            Assert.Equal(SriovCheckStatus.Pass, Check(checks, "Ovs.Switchdev").Status);
            var reps = Representors();
            Assert.Equal(reps.Values, SriovPS.Kernel.Representors.Of(_files, pf).Select(r => r.Name));

            // Representors down until brought up, as the remedy says.
            AssertFails(checks, "Ovs.Representors", "ip link set dev");
            foreach (string rep in reps.Values)
            {
                LabHost.Ip("link", "set", "dev", rep, "up");
            }

            // iproute2's account: each representor on the PF's switch, named for its VF, and up.
            string switchId = IpDetails(pf).GetProperty("phys_switch_id").GetString()!;
            foreach (var (vf, rep) in reps)
            {
                var link = IpDetails(rep);
                Assert.Equal(($"pf0vf{vf}", switchId), (link.GetProperty("phys_port_name").GetString(), link.GetProperty("phys_switch_id").GetString()));
                Assert.Contains("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            }

            Assert.Equal(SriovCheckStatus.Pass, Check(Checks(modes, features, pf), "Ovs.Representors").Status);

            // hw-tc-offload: off on netdevsim until Set-SriovPf -HwTcOffload $true's steps turn it on for the PF and its representors.
            Assert.All(reps.Values.Prepend(pf), name => Assert.Equal("off", EthtoolHwTc(name)));
            AssertFails(Checks(modes, features, pf), "Ovs.HwTcOffload", $"Set-SriovPf -Name {pf} -HwTcOffload $true");
            var made = SetHwTcOffload(modes, pf, on: true);
            Assert.Equal(3, made);
            Assert.All(reps.Values.Prepend(pf), name => Assert.Equal("on", EthtoolHwTc(name)));
            Assert.Equal(SriovCheckStatus.Pass, Check(Checks(modes, features, pf), "Ovs.HwTcOffload").Status);
            Assert.Equal(0, SetHwTcOffload(modes, pf, on: true));

            // Open vSwitch started (the guest has no systemd: ovs-ctl is what its unit runs).
            LabHost.Run(OvsCtl, "start", "--system-id=random");
            Assert.Equal(SriovCheckStatus.Pass, Check(Checks(modes, features, pf), "Ovs.Running").Status);
            AssertFails(Checks(modes, features, pf), "Ovs.HwOffload", "other_config:hw-offload=true");

            LabHost.Run("ovs-vsctl", "set", "Open_vSwitch", ".", "other_config:hw-offload=true");
            LabHost.Run(OvsCtl, "restart", "--system-id=random");
            Assert.Equal("\"true\"", LabHost.Run("ovs-vsctl", "get", "Open_vSwitch", ".", "other_config:hw-offload").Trim());
            checks = Checks(modes, features, pf);
            Assert.Equal(SriovCheckStatus.Pass, Check(checks, "Ovs.HwOffload").Status);

            // Not in a bridge until added to one.
            AssertFails(checks, "Ovs.Bridge", "ovs-vsctl add-port");
            LabHost.Run("ovs-vsctl", "add-br", Bridge);
            foreach (string port in reps.Values.Prepend(pf))
            {
                LabHost.Run("ovs-vsctl", "add-port", Bridge, port);
            }

            Assert.Equal(reps.Values.Prepend(pf).Order(StringComparer.Ordinal), LabHost.Run("ovs-vsctl", "list-ports", Bridge).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
            Assert.All(reps.Values.Prepend(pf), name => Assert.Equal("ovs-system", IpDetails(name).GetProperty("master").GetString()));
            checks = Checks(modes, features, pf);
            Assert.Equal(SriovCheckStatus.Pass, Check(checks, "Ovs.Bridge").Status);

            // Ready: nothing fails; connection tracking stays a note.
            Assert.Empty(checks.Where(c => c.Status == SriovCheckStatus.Fail).Select(c => $"{c.Id} {c.Target}: {c.Finding}"));
            Assert.Equal(SriovCheckStatus.Warning, Check(checks, "Ovs.Conntrack").Status);

            // And off again through the same steps, read back by ethtool.
            Assert.Equal(3, SetHwTcOffload(modes, pf, on: false));
            Assert.All(reps.Values.Prepend(pf), name => Assert.Equal("off", EthtoolHwTc(name)));
            Assert.Equal(SriovCheckStatus.Fail, Check(Checks(modes, features, pf), "Ovs.HwTcOffload").Status);
        }
        finally
        {
            ExternalProgram.TryRun("ovs-vsctl", null, "--if-exists", "del-br", Bridge);
            ExternalProgram.TryRun(OvsCtl, null, "stop");
        }
    }

    /// <summary>The checks Test-SriovHost -For OvsOffload makes for the PF, on the PF as discovery would describe it.</summary>
    private IReadOnlyList<SriovHostCheck> Checks(EswitchModes modes, NetdevFeatures features, string pf)
    {
        var checks = new HostCheckList();
        var ovs = OvsFacts.Read(CancellationToken.None);
        OvsOffloadChecks.Host(checks, "lab", ovs);
        OvsOffloadChecks.Run(checks, _files, Pf(modes, pf), features.HwTcOffload, ovs);
        return checks.Checks;
    }

    private static SriovPf Pf(EswitchModes modes, string name) => new(Device)
    {
        Name = name,
        Driver = "netdevsim",
        TotalVfs = 2,
        NumVfs = 2,
        SriovSupport = SriovSupport.Supported,
        EswitchMode = modes.TryRead("netdevsim", Device),
    };

    /// <summary>Runs Set-SriovPf -HwTcOffload's planner for the PF on the live host; returns how many were made.</summary>
    private static int SetHwTcOffload(EswitchModes modes, string pf, bool on)
    {
        using var session = new HostSession(HostContext.FromRoot(null), new ScriptedAsker());
        var plan = new PfSettingsPlanner(session, new PfSettingsRequest(null, null, null, null, HwTcOffload: on)).Plan(Pf(modes, pf));
        return plan is null ? 0 : PlanDriver.Run(plan, null).Made.Count;
    }

    private static SriovHostCheck Check(IEnumerable<SriovHostCheck> checks, string id) => Assert.Single(checks, c => c.Id == id);

    private static void AssertFails(IEnumerable<SriovHostCheck> checks, string id, string remedy)
    {
        var check = Check(checks, id);
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Contains(remedy, check.Remedy, StringComparison.Ordinal);
    }

    private static string DevlinkMode() =>
        JsonDocument.Parse(LabHost.Run("devlink", "-j", "dev", "eswitch", "show", $"netdevsim/{Device}"))
            .RootElement.GetProperty("dev").GetProperty($"netdevsim/{Device}").GetProperty("mode").GetString()!;

    /// <summary>The VF representors devlink lists for the device, by VF number: its own account, not sysfs.</summary>
    private static SortedDictionary<int, string> Representors()
    {
        var ports = JsonDocument.Parse(LabHost.Run("devlink", "-j", "port", "show")).RootElement.GetProperty("port");
        var found = new SortedDictionary<int, string>();
        foreach (var port in ports.EnumerateObject().Where(p => p.Name.StartsWith($"netdevsim/{Device}/", StringComparison.Ordinal)))
        {
            if (port.Value.GetProperty("flavour").GetString() == "pcivf" && port.Value.TryGetProperty("netdev", out var netdev))
            {
                found[port.Value.GetProperty("vfnum").GetInt32()] = netdev.GetString()!;
            }
        }

        return found;
    }

    /// <summary>One interface as <c>ip -j -d link show</c> reports it.</summary>
    private static JsonElement IpDetails(string name) => JsonDocument.Parse(LabHost.Ip("-j", "-d", "link", "show", "dev", name)).RootElement[0];

    /// <summary>"on" or "off", as <c>ethtool -k</c> shows hw-tc-offload.</summary>
    private static string EthtoolHwTc(string name) =>
        LabHost.Run("ethtool", "-k", name).Split('\n').Single(l => l.StartsWith("hw-tc-offload:", StringComparison.Ordinal))
            .Split(':')[1].Trim().Split(' ')[0];
}
