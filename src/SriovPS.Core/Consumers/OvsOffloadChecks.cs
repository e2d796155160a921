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

    /// <summary>Why Open vSwitch is not known on a copied host tree.</summary>
    public const string NotAskedOnCopiedTree = "Open vSwitch is asked on a running host or read from its snapshot, not from a copied host tree";

    /// <summary>Why Open vSwitch is not known on a snapshot without ovs.json.</summary>
    public const string NotInSnapshot =
        "the snapshot holds no Open vSwitch state: ovs-vsctl was not installed when it was taken, or it was taken by an older SriovPS";

    private const string Service = "openvswitch-switch (openvswitch on Red Hat)";
    private const string Restart = "systemctl restart " + Service;
    private const string Start = "systemctl enable --now " + Service;

    /// <summary>Adds the host-wide checks: Open vSwitch running, hw-offload on, the note on connection tracking.</summary>
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not known.</param>
    /// <param name="ovsUnknown">Why <paramref name="ovs"/> is <c>null</c> (<see cref="NotAskedOnCopiedTree"/>, <see cref="NotInSnapshot"/>).</param>
    public static void Host(HostCheckList checks, string target, OvsFacts? ovs, string ovsUnknown = NotAskedOnCopiedTree)
    {
        Running(checks, target, ovs, ovsUnknown);
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
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not known.</param>
    /// <param name="kernelRead">Whether the kernel was asked (devlink, netlink): on a running host or in its snapshot, not on a copied tree.</param>
    /// <param name="named">Whether the PF was named (<c>-PfName</c>): then it is judged even when nothing on it is set up for offload.</param>
    public static void Run(HostCheckList checks, HostFileSystem files, SriovPf pf, Func<string, NetdevFeatureState?> hwTcOffload, OvsFacts? ovs,
        bool kernelRead = true, bool named = false)
    {
        string target = pf.ToString();
        if (!named && pf.NumVfs == 0 && pf.EswitchMode != EswitchMode.Switchdev)
        {
            // An unused port (the second port of a NIC whose first carries the VFs) is no failure of the host.
            string label = PfChecks.Label(pf);
            string unused = pf.EswitchMode == EswitchMode.Legacy ? $"Not judged: {label} has no VFs and is in legacy mode: not set up for offload."
                : kernelRead ? $"Not judged: {label} has no VFs and no eswitch: not set up for offload."
                : $"Not judged: {label} has no VFs (its eswitch mode is not known): not set up for offload.";
            foreach (var id in new[] { SwitchdevId, HwTcOffloadId, RepresentorsId, BridgeId })
            {
                checks.Skip(id, target, unused);
            }

            return;
        }

        Switchdev(checks, pf, target, kernelRead);
        if (pf.Name is not { } name)
        {
            string none = $"Not judged: {pf.PciAddress} has no network interface.";
            checks.Skip(HwTcOffloadId, target, none);
            checks.Skip(RepresentorsId, target, none);
            checks.Skip(BridgeId, target, none);
            return;
        }

        var representors = Representors.Of(files, name).Where(r => r.VfIndex < pf.NumVfs).ToList();
        HwTcOffload(checks, pf, name, representors, hwTcOffload, target);
        RepresentorsUp(checks, files, pf, name, representors, target, kernelRead);
        Bridge(checks, files, pf, name, representors, ovs, target);
    }

    private static void Running(HostCheckList checks, string target, OvsFacts? ovs, string ovsUnknown)
    {
        if (ovs is null)
        {
            checks.Skip(RunningId, target, $"Not judged: {ovsUnknown}.");
            return;
        }

        if (ovs.IsNotInstalled)
        {
            checks.Fail(RunningId, target, $"Open vSwitch is not installed: no ovs-vsctl in {string.Join(", ", OvsFacts.VsctlPaths)}.",
                $"apt-get install openvswitch-switch (dnf install openvswitch on Red Hat), then {Start}");
            return;
        }

        if (ovs.Failure is { } failure)
        {
            checks.Fail(RunningId, target, $"Open vSwitch's database does not answer: {failure.TrimEnd('.')}.",
                $"{Start}: it starts ovsdb-server and ovs-vswitchd");
            return;
        }

        if (!ovs.VswitchdRunning)
        {
            checks.Fail(RunningId, target,
                "ovsdb-server answers, but ovs-vswitchd does not run (no live ovs-vswitchd in /run/openvswitch/ovs-vswitchd.pid): nothing programs the datapath or offloads flows.",
                Start);
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

    private static void Switchdev(HostCheckList checks, SriovPf pf, string target, bool kernelRead)
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
            case null when !kernelRead:
                checks.Skip(SwitchdevId, target,
                    $"Not judged: the eswitch mode of {label} is not known (devlink is asked on a running host or read from its snapshot, not from a copied host tree).");
                break;
            default:
                checks.Fail(SwitchdevId, target,
                    $"{label} has no eswitch: its driver ({pf.Driver ?? "none"}) registers no devlink eswitch (igb, ixgbe and i40e have none), so it has no switchdev mode.",
                    "Use a NIC whose driver has switchdev mode (mlx5_core for ConnectX-5 and later, ice for E810, nfp) for Open vSwitch offload.");
                break;
        }
    }

    private static void HwTcOffload(HostCheckList checks, SriovPf pf, string name, List<Representor> representors, Func<string, NetdevFeatureState?> hwTcOffload, string target)
    {
        if (hwTcOffload(name) is null)
        {
            checks.Skip(HwTcOffloadId, target, $"Not judged: the features of {name} are not known (ethtool is asked on a running host; a copied host tree, or a snapshot taken by an older SriovPS, holds none).");
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
                FixedOffRemedy(pf, name, fixedOff.Contains(name)));
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

    private static void RepresentorsUp(HostCheckList checks, HostFileSystem files, SriovPf pf, string name, List<Representor> representors, string target, bool kernelRead)
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
            if (pf.EswitchMode == EswitchMode.Legacy)
            {
                checks.Fail(RepresentorsId, target, $"{which}: representors exist only in switchdev mode ({SwitchdevId}).",
                    $"{PfCommand(pf)} -EswitchMode Switchdev");
                return;
            }

            if (pf.EswitchMode is null)
            {
                // No mode to switch to: a PF without an eswitch (igb) never has representors.
                checks.Skip(RepresentorsId, target, kernelRead
                    ? $"Not judged: {PfChecks.Label(pf)} has no eswitch ({SwitchdevId})."
                    : $"Not judged: {which}, and its eswitch mode is not known ({SwitchdevId}); representors exist only in switchdev mode.");
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

    private static void Bridge(HostCheckList checks, HostFileSystem files, SriovPf pf, string name, List<Representor> representors, OvsFacts? ovs, string target)
    {
        if (ovs is null || ovs.Failure is not null)
        {
            checks.Skip(BridgeId, target, $"Not judged: Open vSwitch was not read ({RunningId}).");
            return;
        }

        var ports = new[] { name }.Concat(representors.Select(r => r.Name)).ToList();
        var inBridge = ports.Where(ovs.BridgeOfPort.ContainsKey).ToList();
        var bridges = inBridge.Select(p => ovs.BridgeOfPort[p]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        string noVfs = pf.NumVfs == 0 ? $" ({name} has no VFs, so only its own port is looked for)" : "";
        if (bridges.Count == 1 && inBridge.Count == ports.Count)
        {
            checks.Pass(BridgeId, target, string.Create(CultureInfo.InvariantCulture,
                $"{name}{(representors.Count > 0 ? $" and its {representors.Count} representors are ports" : " is a port")} of bridge {bridges[0]}{noVfs}."));
            return;
        }

        var findings = new List<string>();
        // The PF's bridge if it has one; else the one most of its representors are in, unless that bridge
        // holds another uplink: two uplinks in one bridge make a loop between the networks they reach.
        string? home = ovs.BridgeOfPort.GetValueOrDefault(name);
        if (home is null && inBridge.GroupBy(p => ovs.BridgeOfPort[p]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key is { } most)
        {
            var uplinks = ovs.BridgeOfPort.Where(p => p.Value == most && IsOtherUplink(files, p.Key, name)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
            if (uplinks.Count == 0)
            {
                home = most;
            }
            else
            {
                findings.Add($"bridge {most}, where representors of {name} are, holds the uplink {Names(uplinks)}: {name} added there would make a loop");
            }
        }

        bool newBridge = home is null;
        home ??= NewBridgeFor(name);
        var missing = ports.Except(inBridge).ToList();
        var elsewhere = inBridge.Where(p => ovs.BridgeOfPort[p] != home).ToList();
        if (missing.Count > 0)
        {
            findings.Add($"not in any bridge: {Names(missing)}");
        }

        if (elsewhere.Count > 0)
        {
            findings.Add($"in another bridge than {home}: {Names(elsewhere.Select(p => $"{p} ({ovs.BridgeOfPort[p]})"))}");
        }

        var remedy = new List<string>();
        if (newBridge)
        {
            remedy.Add($"ovs-vsctl --may-exist add-br {home}");
        }

        remedy.AddRange(elsewhere.Select(p => $"ovs-vsctl del-port {ovs.BridgeOfPort[p]} {p} -- add-port {home} {p}"));
        remedy.AddRange(missing.Select(p => $"ovs-vsctl add-port {home} {p}"));
        checks.Fail(BridgeId, target,
            $"{name} and its representors are to be ports of one Open vSwitch bridge, for the NIC to switch between the uplink and the VFs; {string.Join("; ", findings)}{noVfs}.",
            string.Join("; ", remedy));
    }

    /// <summary>The bridge the remedy makes for a PF whose ports are in no bridge that can take them.</summary>
    /// <remarks>One per PF, so two PFs' uplinks never share one; cut to an interface name's 15 characters.</remarks>
    public static string NewBridgeFor(string pfName) => ("br-" + pfName) is var bridge && bridge.Length > 15 ? bridge[..15] : bridge;

    /// <summary>
    /// Whether a bridge's port is an uplink other than <paramref name="pfName"/>: an interface on a device
    /// (a NIC's port, a PF's uplink) that is neither a VF representor nor a VF. Virtual ports (internal
    /// ports, taps, tunnels) have no device, and representors and VFs carry a guest's traffic, not a network's.
    /// </summary>
    private static bool IsOtherUplink(HostFileSystem files, string port, string pfName) =>
        port != pfName
        && Representors.DeviceOf(files, port) is not null
        && !Representors.IsRepresentor(files, "/sys/class/net/" + port)
        && files.ReadLink($"/sys/class/net/{port}/device/physfn") is null;

    private static string FixedOffRemedy(SriovPf pf, string name, bool pfFixed)
    {
        if (pf.EswitchMode == EswitchMode.Switchdev)
        {
            return $"None in SriovPS: the driver of {(pfFixed ? name : $"the representors of {name}")} fixes hw-tc-offload off even in switchdev mode and no setting changes it; a newer driver or NIC firmware may.";
        }

        return pfFixed
            ? $"Use a NIC whose driver offloads TC flows for {name}; a driver fixes it off in legacy mode on some NICs ({SwitchdevId})."
            : $"Put {name} in switchdev mode first ({SwitchdevId}); then {PfCommand(name)} -HwTcOffload $true";
    }

    private static string PfCommand(SriovPf pf) => pf.Name is { } name ? PfCommand(name) : $"Get-SriovPf -PciAddress {pf.PciAddress} | Set-SriovPf";

    private static string PfCommand(string name) => $"Set-SriovPf -Name {name}";

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";
}
