using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Readiness;

namespace SriovPS.Consumers;

/// <summary>
/// Whether a host is ready for Open vSwitch hardware offload: OVS running with hw-offload on, and per PF
/// switchdev mode, hw-tc-offload, a representor per VF that is up, and the PF and representors in one
/// bridge. They read the PF, the host's interfaces under /sys/class/net, the interfaces' features and
/// what ovs-vsctl said; never the PCI bus, so a port of a device that is not PCI (netdevsim) is judged alike.
/// </summary>
internal static class OvsOffloadChecks
{
    public const string RunningId = "Ovs.Running";
    public const string HwOffloadId = "Ovs.HwOffload";
    public const string ConntrackId = "Ovs.Conntrack";
    public const string SwitchdevId = "Ovs.Switchdev";
    public const string HwTcOffloadId = "Ovs.HwTcOffload";
    public const string RepresentorsId = "Ovs.Representors";
    public const string BridgeId = "Ovs.Bridge";

    /// <summary>The bridge the remedy makes when none holds any of a PF's ports yet.</summary>
    public const string NewBridge = "br-sriov";

    private const string Restart = "systemctl restart openvswitch-switch";

    /// <summary>Adds the host-wide checks: Open vSwitch running, hw-offload on, the note on connection tracking.</summary>
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not asked (a copied host tree).</param>
    public static void Host(HostCheckList checks, string target, OvsFacts? ovs)
    {
        Running(checks, target, ovs);
        HwOffload(checks, target, ovs);
        checks.Warn(ConntrackId, target,
            "Connection tracking offload is limited: flows with the ct action (security groups, stateful ACLs, NAT) are offloaded only " +
            "for established connections on NICs that support it, and stay in software on many others, so an offloaded VF port with " +
            "security groups loses most of its offload. Deployments that offload VF ports turn security groups off for them.",
            "Keep stateful rules (security groups, ct-based ACLs) off the ports of offloaded VFs, and filter inside the guests instead; " +
            "'ovs-appctl dpctl/dump-flows type=offloaded' shows which flows the NIC holds.");
    }

    /// <summary>Adds the OVS offload checks of one PF: switchdev, hw-tc-offload, its representors, its bridge.</summary>
    /// <param name="hwTcOffload">An interface's hw-tc-offload; <c>null</c> when not known.</param>
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not asked (a copied host tree).</param>
    public static void Run(HostCheckList checks, HostFileSystem files, SriovPf pf, Func<string, NetdevFeatureState?> hwTcOffload, OvsFacts? ovs)
    {
        string target = pf.ToString();
        Switchdev(checks, pf, target, ovs);
        if (pf.Name is not { } name)
        {
            string none = $"Not judged: {pf.PciAddress} has no network interface.";
            checks.Skip(HwTcOffloadId, target, none);
            checks.Skip(RepresentorsId, target, none);
            checks.Skip(BridgeId, target, none);
            return;
        }

        var representors = Representors.Of(files, name).Where(r => r.VfIndex < pf.NumVfs).ToList();
        HwTcOffload(checks, name, representors, hwTcOffload, target);
        RepresentorsUp(checks, files, pf, name, representors, target);
        Bridge(checks, pf, name, representors, ovs, target);
    }

    private static void Running(HostCheckList checks, string target, OvsFacts? ovs)
    {
        if (ovs is null)
        {
            checks.Skip(RunningId, target, "Not judged: Open vSwitch is asked on a running host or read from its snapshot, not from a copied host tree.");
            return;
        }

        if (ovs.IsNotInstalled)
        {
            checks.Fail(RunningId, target, "Open vSwitch is not installed: no ovs-vsctl in /usr/bin, /usr/sbin, /bin or /sbin.",
                "apt-get install openvswitch-switch (dnf install openvswitch on Red Hat), then systemctl enable --now openvswitch-switch");
            return;
        }

        if (ovs.Failure is { } failure)
        {
            checks.Fail(RunningId, target, $"Open vSwitch's database does not answer: {failure.TrimEnd('.')}.",
                "systemctl enable --now openvswitch-switch (it starts ovsdb-server and ovs-vswitchd)");
            return;
        }

        if (!ovs.VswitchdRunning)
        {
            checks.Fail(RunningId, target,
                "ovsdb-server answers, but ovs-vswitchd does not run (no live ovs-vswitchd in /run/openvswitch/ovs-vswitchd.pid): nothing programs the datapath or offloads flows.",
                "systemctl enable --now openvswitch-switch");
            return;
        }

        checks.Pass(RunningId, target, $"ovsdb-server answers and ovs-vswitchd runs; bridges: {Names(ovs.Bridges)}.");
    }

    private static void HwOffload(HostCheckList checks, string target, OvsFacts? ovs)
    {
        if (ovs is null || ovs.Failure is not null)
        {
            checks.Skip(HwOffloadId, target, $"Not judged: Open vSwitch was not read ({RunningId}).");
            return;
        }

        string? value = ovs.OtherConfig.GetValueOrDefault("hw-offload");
        string? policy = ovs.OtherConfig.GetValueOrDefault("tc-policy");
        string policyText = policy is null ? "" : $"; other_config:tc-policy is \"{policy}\"";
        // ovs-vswitchd takes it as true whatever the case, as its other_config booleans are read.
        if (!string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
        {
            checks.Fail(HwOffloadId, target,
                $"other_config:hw-offload is {(value is null ? "not set" : $"\"{value}\"")}{policyText}: ovs-vswitchd keeps every flow in software.",
                $"ovs-vsctl set Open_vSwitch . other_config:hw-offload=true; then {Restart} (ovs-vswitchd reads hw-offload only when it starts)");
            return;
        }

        if (policy == "skip_hw")
        {
            checks.Fail(HwOffloadId, target,
                "other_config:hw-offload is \"true\", but other_config:tc-policy is \"skip_hw\": flows are put in the kernel's software TC only, never in the NIC.",
                $"ovs-vsctl remove Open_vSwitch . other_config tc-policy; then {Restart}");
            return;
        }

        checks.Pass(HwOffloadId, target,
            $"other_config:hw-offload is \"true\"{policyText}. ovs-vswitchd reads it when it starts: if it was set since, {Restart}.");
    }

    private static void Switchdev(HostCheckList checks, SriovPf pf, string target, OvsFacts? ovs)
    {
        string label = PfChecks.Label(pf);
        switch (pf.EswitchMode)
        {
            case EswitchMode.Switchdev:
                checks.Pass(SwitchdevId, target, $"{label} is in switchdev mode: each VF has a representor, and flows between them can be offloaded to the NIC.");
                break;
            case EswitchMode.Legacy:
                checks.Fail(SwitchdevId, target,
                    $"{label} is in legacy eswitch mode: its VFs have no representors, so Open vSwitch cannot switch or offload their traffic.",
                    $"{PfCommand(pf)} -EswitchMode Switchdev");
                break;
            case null when ovs is null:
                // A copied host tree: devlink was not asked, so no mode is known.
                checks.Skip(SwitchdevId, target, $"Not judged: the eswitch mode of {label} is not known (devlink is asked on a running host).");
                break;
            default:
                checks.Fail(SwitchdevId, target,
                    $"{label} has no eswitch: its driver ({pf.Driver ?? "none"}) registers no devlink eswitch (igb, ixgbe and i40e have none), so it has no switchdev mode.",
                    "Use a NIC whose driver has switchdev mode (mlx5_core for ConnectX-5 and later, ice for E810, nfp) for Open vSwitch offload.");
                break;
        }
    }

    private static void HwTcOffload(HostCheckList checks, string name, List<Representor> representors, Func<string, NetdevFeatureState?> hwTcOffload, string target)
    {
        if (hwTcOffload(name) is null)
        {
            checks.Skip(HwTcOffloadId, target, $"Not judged: the features of {name} are not known (ethtool netlink is asked on a running host).");
            return;
        }

        // Representors whose driver does not report the feature are left out, as ethtool shows none for them.
        var states = new[] { name }.Concat(representors.Select(r => r.Name))
            .Select(n => (Name: n, State: hwTcOffload(n)))
            .Where(s => s.State is not null)
            .ToList();
        var fixedOff = states.Where(s => s.State is { Active: false, Changeable: false }).Select(s => s.Name).ToList();
        var off = states.Where(s => s.State is { Active: false, Changeable: true }).Select(s => s.Name).ToList();
        if (fixedOff.Count > 0)
        {
            checks.Fail(HwTcOffloadId, target,
                $"hw-tc-offload is off and fixed (the driver cannot turn it on) on {Names(fixedOff)}{(off.Count > 0 ? $", and off on {Names(off)}" : "")}: TC flows stay in software.",
                fixedOff.Contains(name)
                    ? $"Use a NIC whose driver offloads TC flows for {name}; a driver fixes it off in legacy mode on some NICs ({SwitchdevId})."
                    : $"Put {name} in switchdev mode first ({SwitchdevId}); then {PfCommand(name)} -HwTcOffload $true");
            return;
        }

        if (off.Count > 0)
        {
            checks.Fail(HwTcOffloadId, target,
                $"hw-tc-offload is off on {Names(off)}: the NIC is not given TC flows, so Open vSwitch's offloaded flows stay in software.",
                $"{PfCommand(name)} -HwTcOffload $true (it sets the PF and its representors)");
            return;
        }

        checks.Pass(HwTcOffloadId, target, string.Create(CultureInfo.InvariantCulture,
            $"hw-tc-offload is on for {name}{(states.Count > 1 ? $" and {states.Count - 1} representors" : "")}."));
    }

    private static void RepresentorsUp(HostCheckList checks, HostFileSystem files, SriovPf pf, string name, List<Representor> representors, string target)
    {
        if (pf.NumVfs == 0)
        {
            checks.Skip(RepresentorsId, target, $"Not judged: {name} has no VFs, so no representors to look for.");
            return;
        }

        var found = representors.Select(r => r.VfIndex).ToHashSet();
        var missing = Enumerable.Range(0, pf.NumVfs).Where(i => !found.Contains(i)).ToList();
        if (missing.Count > 0)
        {
            string which = string.Create(CultureInfo.InvariantCulture,
                $"{name} has {pf.NumVfs} VFs but no representor for {(missing.Count == pf.NumVfs ? "any of them" : "VF " + string.Join(", ", missing))}");
            if (pf.EswitchMode != EswitchMode.Switchdev)
            {
                checks.Fail(RepresentorsId, target, $"{which}: representors exist only in switchdev mode ({SwitchdevId}).",
                    $"{PfCommand(pf)} -EswitchMode Switchdev");
                return;
            }

            checks.Fail(RepresentorsId, target,
                $"{which} (no interface with {name}'s phys_switch_id and a phys_port_name pf0vfN for it): the driver made none for them.",
                string.Create(CultureInfo.InvariantCulture, $"Disable-SriovVf -PfName {name}; Enable-SriovVf -PfName {name} -Count {pf.NumVfs} (VFs made in switchdev mode get their representors)"));
            return;
        }

        // Flags that cannot be read (-1) judge nothing: only a representor known to be down is named.
        var down = representors.Where(r => SriovDiscovery.ReadHex(files, "/sys/class/net/" + r.Name, "flags") is int flags && flags >= 0 && (flags & SriovDiscovery.IffUp) == 0).ToList();
        if (down.Count > 0)
        {
            checks.Fail(RepresentorsId, target,
                $"Representors of {name} are administratively down: {Names(down.Select(r => r.Name))}. Open vSwitch does not bring a port up when it is added to a bridge, and traffic of a VF whose representor is down is not switched.",
                string.Join("; ", down.Select(r => $"ip link set dev {r.Name} up")));
            return;
        }

        checks.Pass(RepresentorsId, target, string.Create(CultureInfo.InvariantCulture,
            $"{name} has a representor for each of its {pf.NumVfs} VFs, all up: {Names(representors.Select(r => r.Name))}."));
    }

    private static void Bridge(HostCheckList checks, SriovPf pf, string name, List<Representor> representors, OvsFacts? ovs, string target)
    {
        if (ovs is null || ovs.Failure is not null)
        {
            checks.Skip(BridgeId, target, $"Not judged: Open vSwitch was not read ({RunningId}).");
            return;
        }

        var ports = new[] { name }.Concat(representors.Select(r => r.Name)).ToList();
        var inBridge = ports.Where(ovs.BridgeOfPort.ContainsKey).ToList();
        var bridges = inBridge.Select(p => ovs.BridgeOfPort[p]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // The PF's bridge if it has one, else the one most of its representors are in.
        string? home = ovs.BridgeOfPort.GetValueOrDefault(name)
            ?? inBridge.GroupBy(p => ovs.BridgeOfPort[p]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key;
        string noVfs = pf.NumVfs == 0 ? $" ({name} has no VFs, so only its own port is looked for)" : "";
        if (bridges.Count == 1 && inBridge.Count == ports.Count)
        {
            checks.Pass(BridgeId, target, string.Create(CultureInfo.InvariantCulture,
                $"{name}{(representors.Count > 0 ? $" and its {representors.Count} representors are ports" : " is a port")} of bridge {home}{noVfs}."));
            return;
        }

        var missing = ports.Except(inBridge).ToList();
        var elsewhere = inBridge.Where(p => ovs.BridgeOfPort[p] != home).ToList();
        var findings = new List<string>();
        if (missing.Count > 0)
        {
            findings.Add($"not in any bridge: {Names(missing)}");
        }

        if (elsewhere.Count > 0)
        {
            findings.Add($"in another bridge than {home}: {Names(elsewhere.Select(p => $"{p} ({ovs.BridgeOfPort[p]})"))}");
        }

        var remedy = new List<string>();
        if (home is null)
        {
            home = NewBridge;
            remedy.Add($"ovs-vsctl --may-exist add-br {home}");
        }

        remedy.AddRange(elsewhere.Select(p => $"ovs-vsctl del-port {ovs.BridgeOfPort[p]} {p} -- add-port {home} {p}"));
        remedy.AddRange(missing.Select(p => $"ovs-vsctl add-port {home} {p}"));
        checks.Fail(BridgeId, target,
            $"{name} and its representors are to be ports of one Open vSwitch bridge, for the NIC to switch between the uplink and the VFs; {string.Join("; ", findings)}{noVfs}.",
            string.Join("; ", remedy));
    }

    private static string PfCommand(SriovPf pf) => pf.Name is { } name ? PfCommand(name) : $"Get-SriovPf -PciAddress {pf.PciAddress} | Set-SriovPf";

    private static string PfCommand(string name) => $"Set-SriovPf -Name {name}";

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";
}
