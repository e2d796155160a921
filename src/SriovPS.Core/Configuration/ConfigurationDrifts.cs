using SriovPS.AppArmor;
using SriovPS.Boot;
using SriovPS.Libvirt;
using SriovPS.PfSettings;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.VfDriver;

namespace SriovPS.Configuration;

/// <summary>
/// Compares a document laid over the host with the host as it is now: one drift per setting that differs,
/// with the command that fixes it. What the host cannot say (a copied tree's VF settings, a value the
/// driver does not report) is not a drift: it is said once, as a warning.
/// </summary>
internal sealed class ConfigurationDrifts(HostSession session, IHostReport report)
{
    private readonly List<SriovConfigurationDrift> _drifts = [];
    private readonly HashSet<string> _unread = [];

    public List<SriovConfigurationDrift> Find(DesiredHost desired)
    {
        _drifts.Clear();
        foreach (var pf in desired.Pfs)
        {
            ComparePf(pf, session.PfAt(pf.Pf.PciAddress) ?? pf.Pf);
        }

        ComparePools(desired.Pools);
        CompareBoot(desired);
        foreach (string unread in _unread)
        {
            report.Warn($"Not compared: {unread.TrimEnd('.')}.");
        }

        return [.. _drifts];
    }

    private void Add(string target, string property, object? desired, object? actual, string step, string path) =>
        _drifts.Add(new SriovConfigurationDrift(target, property, desired, actual, step, path));

    private void ComparePf(DesiredPf desired, SriovPf pf)
    {
        var entry = desired.Entry;
        string label = desired.Label;
        string pfParameter = pf.Name is null ? $"-PciAddress {pf.PciAddress}" : $"-Name {pf.Name}";
        if (entry.EswitchMode is not null && pf.EswitchMode is null)
        {
            _unread.Add($"the eswitch mode of {label}: {pf.Driver ?? "its driver"} reports none through devlink{(session.KernelKnown ? string.Empty : " (a copied host tree has no devlink)")}");
        }
        else if (entry.EswitchMode is { } mode && pf.EswitchMode != mode)
        {
            Add(label, "EswitchMode", mode, pf.EswitchMode, $"Set-SriovPf {pfParameter} -EswitchMode {mode}", entry.At("eswitchMode"));
        }

        if (entry.NumVfs is int count && pf.NumVfs != count)
        {
            Add(label, "NumVfs", count, pf.NumVfs, count == 0 ? $"Disable-SriovVf -PfName {label}" : $"Enable-SriovVf -PfName {label} -Count {count}", entry.At("numVfs"));
        }

        if (entry.DriversAutoprobe is bool autoprobe && pf.DriversAutoprobe != autoprobe)
        {
            Add(label, "DriversAutoprobe", autoprobe, pf.DriversAutoprobe, $"Set-SriovPf {pfParameter} -DriversAutoprobe ${autoprobe.ToString().ToLowerInvariant()}", entry.At("driversAutoprobe"));
        }

        CompareLink(desired, pf, pfParameter);
        if (entry.Persist)
        {
            ComparePersisted(desired, pf, pfParameter);
        }

        if (desired.Vfs.Count > 0)
        {
            CompareVfs(desired, pf);
        }
    }

    /// <summary>What the entry persists, against the files that keep it: the udev lines for the count and the VF drivers, the network manager's file for the link.</summary>
    private void ComparePersisted(DesiredPf desired, SriovPf pf, string pfParameter)
    {
        var entry = desired.Entry;
        string label = desired.Label;
        string? rules = new UdevRulesFile(session).ReadText();
        if (entry.NumVfs is int persisted)
        {
            var rule = UdevVfRules.Find(rules, pf.PciAddress);
            if (rule?.NumVfs != persisted && !(persisted == 0 && rule is null))
            {
                Add(label, "PersistedNumVfs", persisted, rule?.NumVfs, $"Enable-SriovVf -PfName {label} -Count {persisted} -Persist", entry.At("persist"));
            }
        }

        var drivers = desired.Vfs.Values.Where(v => v.NamesDriver).ToList();
        if (drivers.Count > 0 && pf.NumVfs > 0)
        {
            var vfs = session.VfsOf(pf);
            var asked = drivers.Select(d => vfs.Find(v => v.Index == d.Index) is { } vf ? (vf.PciAddress, d.Driver) : default)
                .Where(p => p.PciAddress is not null).ToDictionary(p => p.PciAddress, p => p.Driver, StringComparer.Ordinal);
            var (text, _) = VfDriverPersistence.Plan(rules, pf, vfs, asked, new PciDriverAvailability(session.Files));
            if (text != rules)
            {
                Add(label, "PersistedDrivers", string.Join(", ", drivers.Select(d => $"vf {d.Index} {d.Entry.Driver}")), null, $"Set-SriovVfDriver -PfName {label} -Index … -Driver … -Persist", entry.At("persist"));
            }
        }

        if ((entry.LinkUp is not null || entry.Mtu is not null) && pf.Name is not null)
        {
            try
            {
                var files = new PfNetworkFilePlanner(session, force: true);
                var probe = new ChangePlan();
                var step = files.AddFileStep(probe, pf, entry.LinkUp, entry.Mtu, files.OtherConfigurations(pf, new HostReport()), kernelSteps: []);
                probe.Report.Warnings.ForEach(w => _unread.Add($"the persisted link of {label}: {w}"));
                if (step is not null)
                {
                    string words = string.Join(" ", new[] { entry.LinkUp is bool up ? (up ? "up" : "down") : null, entry.Mtu is int mtu ? $"mtu {mtu}" : null }.OfType<string>());
                    Add(label, "PersistedLink", words, null, $"Set-SriovPf {pfParameter}{(entry.LinkUp is bool u ? $" -LinkState {(u ? "Up" : "Down")}" : string.Empty)}{(entry.Mtu is int m ? $" -Mtu {m}" : string.Empty)} -Persist", entry.At("persist"));
                }
            }
            catch (SriovException e)
            {
                _unread.Add($"the network configuration that keeps {label}'s link: {e.Message}");
            }
        }
    }

    private void CompareLink(DesiredPf desired, SriovPf pf, string pfParameter)
    {
        var entry = desired.Entry;
        if ((entry.LinkUp is null && entry.Mtu is null) || pf.Name is null)
        {
            return;
        }

        bool? up = pf.AdministrativelyUp;
        int? mtu = pf.Mtu;
        if (session.KernelLinks is { } links && PfLinkPlan.For(links, pf.Name, entry.LinkUp, entry.Mtu) is { } link)
        {
            up = link.Changes.Exists(c => c.IpArguments is "up" or "down") ? !entry.LinkUp : entry.LinkUp;
            mtu = link.MtuBefore ?? entry.Mtu;
        }

        if (entry.LinkUp is bool wantUp && up is bool isUp && wantUp != isUp)
        {
            Add(desired.Label, "LinkState", wantUp ? "Up" : "Down", isUp ? "Up" : "Down", $"Set-SriovPf {pfParameter} -LinkState {(wantUp ? "Up" : "Down")}", entry.At("linkState"));
        }

        if (entry.Mtu is int wantMtu && mtu is int isMtu && wantMtu != isMtu)
        {
            Add(desired.Label, "Mtu", wantMtu, isMtu, $"Set-SriovPf {pfParameter} -Mtu {wantMtu}", entry.At("mtu"));
        }
    }

    private void CompareVfs(DesiredPf desired, SriovPf pf)
    {
        var vfs = pf.NumVfs == 0 ? [] : session.VfsOf(pf).ToDictionary(v => v.Index);
        foreach (var want in desired.Vfs.Values)
        {
            // A VF still to be created is covered by the NumVfs drift.
            if (!vfs.TryGetValue(want.Index, out var vf))
            {
                continue;
            }

            string target = $"{desired.Label} vf {want.Index}";
            if (want.NamesDriver && VfDriverPlan.For(session.Files, [(pf, vf)], want.Driver).Moves is [var move, ..])
            {
                // Bound to the driver asked but not held there by driver_override: a rebind would lose it.
                object? actual = move.Reprobe ? vf.Driver : $"{vf.Driver} (driver_override {move.CurrentOverride ?? "not set"})";
                Add(target, "Driver", want.Entry.Driver, actual, $"Set-SriovVfDriver -PfName {desired.Label} -Index {want.Index} -Driver {want.Entry.Driver}", want.Entry.At("driver"));
            }

            foreach (var (property, wanted, actual, parameter) in VfSettingsCompared(want, vf))
            {
                if (actual is null && !session.KernelKnown)
                {
                    _unread.Add($"the VF settings of {desired.Label}: a copied host tree has no kernel to report them");
                }
                else if (actual is null && property is not "MacAddress")
                {
                    _unread.Add($"{property} of {target}: {pf.Driver ?? "its driver"} does not report it");
                }
                else if (!Same(wanted, actual))
                {
                    Add(target, property, wanted, actual, $"Set-SriovVf -PfName {desired.Label} -Index {want.Index} {parameter}", want.Entry.At(JsonKey(property)));
                }
            }
        }
    }

    private static string JsonKey(string property) => property == "MacAddress" ? "mac" : char.ToLowerInvariant(property[0]) + property[1..];

    private static bool Same(object wanted, object? actual) => wanted switch
    {
        string text => string.Equals(text, actual as string, StringComparison.OrdinalIgnoreCase),
        _ => wanted.Equals(actual),
    };

    /// <summary>Each setting the entry names: the value asked, the VF's, and Set-SriovVf's parameter for it.</summary>
    private static IEnumerable<(string Property, object Wanted, object? Actual, string Parameter)> VfSettingsCompared(DesiredVf want, SriovVf vf)
    {
        var entry = want.Entry;
        if (want.Mac is { } mac)
        {
            yield return ("MacAddress", mac, vf.MacAddress is "00:00:00:00:00:00" ? null : vf.MacAddress, $"-MacAddress {mac}");
        }

        if (entry.Vlan is int vlan)
        {
            yield return ("Vlan", vlan, vf.Vlan, $"-Vlan {vlan}");
        }

        if (entry.Qos is int qos)
        {
            yield return ("Qos", qos, vf.Qos, $"-Qos {qos}");
        }

        // An untagged VF has no tag protocol to report; the kernel's default is 802.1Q.
        if (entry.VlanProtocol is { } protocol && (vf.Vlan is not 0 || protocol != "802.1Q"))
        {
            yield return ("VlanProtocol", protocol, vf.VlanProtocol ?? (vf.Vlan is 0 ? "802.1Q" : null), $"-VlanProtocol {protocol}");
        }

        if (entry.SpoofCheck is bool spoof)
        {
            yield return ("SpoofCheck", spoof, vf.SpoofCheck, $"-SpoofCheck ${spoof.ToString().ToLowerInvariant()}");
        }

        if (entry.Trust is bool trust)
        {
            yield return ("Trust", trust, vf.Trust, $"-Trust ${trust.ToString().ToLowerInvariant()}");
        }

        if (entry.LinkState is { } state)
        {
            yield return ("LinkState", state, vf.LinkState, $"-LinkState {state}");
        }

        if (entry.MinTxRate is int min)
        {
            yield return ("MinTxRate", min, vf.MinTxRate, $"-MinTxRate {min}");
        }

        if (entry.MaxTxRate is int max)
        {
            yield return ("MaxTxRate", max, vf.MaxTxRate, $"-MaxTxRate {max}");
        }
    }

    private void ComparePools(List<DesiredPool> pools)
    {
        if (pools.Count == 0)
        {
            return;
        }

        if (session.HostLibvirt() is not { } libvirt)
        {
            _unread.Add(session.Host.IsLiveHost ? "the pools: libvirt could not be reached"
                : session.Host.Snapshot is { } snapshot ? $"the pools: libvirt is not in the snapshot ({snapshot.LibvirtMissing})"
                : "the pools: libvirt is not read for a copied host tree");
            return;
        }

        var inventory = libvirt.ReadInventory();
        foreach (var pool in pools)
        {
            var entry = pool.Entry;
            string pfs = string.Join(",", pool.Pfs.Select(p => p.Name));
            string create = $"New-LibvirtSriovNetwork -Name {entry.Name} -PfName {pfs}{(entry.Autostart == true ? " -Autostart" : string.Empty)}{(entry.Started == true ? " -Start" : string.Empty)}";
            if (inventory.Network(entry.Name) is not { } network)
            {
                Add(entry.Name, "Defined", true, false, create, entry.Path);
                continue;
            }

            var wanted = pool.Pfs.Select(p => p.Name!).Order(StringComparer.Ordinal).ToList();
            var actual = network.Definition.PfNames.Count > 0 ? network.Definition.PfNames.Order(StringComparer.Ordinal).ToList() : null;
            if (!PoolSteps.HandsOut(session, network, pool))
            {
                Add(entry.Name, "PfNames", string.Join(", ", wanted), actual is null ? "a fixed VF list" : string.Join(", ", actual), $"Remove-LibvirtSriovNetwork -Name {entry.Name}; {create}", entry.At("pfs"));
            }

            if (entry.Autostart is bool autostart && network.Autostart != autostart)
            {
                Add(entry.Name, "Autostart", autostart, network.Autostart, $"virsh net-autostart {entry.Name}{(autostart ? string.Empty : " --disable")}", entry.At("autostart"));
            }

            if (entry.Started is bool started && network.Active != started)
            {
                Add(entry.Name, "Started", started, network.Active, started ? $"virsh net-start {entry.Name}" : $"virsh net-destroy {entry.Name}", entry.At("started"));
            }
        }
    }

    private void CompareBoot(DesiredHost desired)
    {
        if (desired.Boot is not { } boot)
        {
            return;
        }

        if (boot.Iommu || boot.VfioModules)
        {
            var setup = IommuSetup.Plan(session.Files, [], boot.Iommu, boot.VfioModules);
            setup.Problems.ForEach(p => _unread.Add($"the boot settings: {p.Message}"));
            if (setup.Grub is { Changes: true } grub)
            {
                Add(grub.File.HostPath, "KernelCommandLine", grub.Summary, null, "Enable-SriovIommu", "boot.iommu");
            }

            if (setup.Modules is { Changes: true } modules)
            {
                Add(modules.File.HostPath, "VfioModules", modules.Summary, null, "Enable-SriovIommu -VfioOnly", "boot.vfioModules");
            }
        }

        if (boot.AppArmor && (session.Host.IsLiveHost || session.Host.Snapshot is not null) && session.HostLibvirt() is not null)
        {
            try
            {
                var apparmor = VfioAppArmor.Plan(session.Files, VfioGroupNeeds.OfPools(session, whatIfGiven: false), allGroups: false);
                if (apparmor.Local is { Changes: true } local)
                {
                    Add(local.File.HostPath, "AppArmor", local.Summary, null, "Repair-VfioAppArmor", "boot.appArmor");
                }
            }
            catch (SriovException e)
            {
                _unread.Add($"AppArmor's rules for the pools' VFs: {e.Message}");
            }
        }
        else if (boot.AppArmor)
        {
            _unread.Add("AppArmor's rules for the pools' VFs: the pools are known from this machine's libvirt");
        }
    }
}
