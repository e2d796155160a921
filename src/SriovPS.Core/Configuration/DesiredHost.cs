using SriovPS.VfDriver;
using SriovPS.VfSettings;

namespace SriovPS.Configuration;

/// <summary>What one VF is to be: its driver and the settings the PF keeps for it.</summary>
internal sealed class DesiredVf(int index, VfEntry entry, string? mac, string? driver, VfSettingsRequest settings)
{
    public int Index { get; } = index;

    public VfEntry Entry { get; } = entry;

    /// <summary>The MAC asked, <c>auto</c> worked out; null when the entry names none.</summary>
    public string? Mac { get; } = mac;

    /// <summary>The driver as registered on this host; null for the VF's default driver. Only meaningful when <see cref="NamesDriver"/>.</summary>
    public string? Driver { get; } = driver;

    public bool NamesDriver => Entry.Driver is not null;

    public VfSettingsRequest Settings { get; } = settings;
}

/// <summary>A PF of this host with what its document entry asks of it.</summary>
internal sealed class DesiredPf(PfEntry entry, SriovPf pf)
{
    public PfEntry Entry { get; } = entry;

    public SriovPf Pf { get; } = pf;

    public string Label => Pf.Name ?? Pf.PciAddress;

    /// <summary>The VF count once the document is applied.</summary>
    public int Count => Entry.NumVfs ?? Pf.NumVfs;

    public SortedDictionary<int, DesiredVf> Vfs { get; } = [];
}

/// <summary>A pool with the PFs its entry names on this host.</summary>
internal sealed class DesiredPool(PoolEntry entry, List<DesiredPf> pfs, List<SriovPf> others)
{
    public PoolEntry Entry { get; } = entry;

    /// <summary>PFs the document manages.</summary>
    public List<DesiredPf> Managed { get; } = pfs;

    /// <summary>PFs named by interface that the document leaves as they are.</summary>
    public List<SriovPf> Others { get; } = others;

    public IEnumerable<SriovPf> Pfs => Managed.Select(p => p.Pf).Concat(Others);
}

/// <summary>
/// A configuration document laid over this host's PFs: each entry matched to the PFs it is for, each VF
/// given its MAC and driver, each pool its PFs. What only the host shows is checked here, before
/// anything is touched: an entry that matches no PF, two entries for one PF, a count over TotalVfs, a VF
/// beyond the count, a driver the host lacks, two VFs given one MAC, a pool on a PF left without VFs.
/// </summary>
internal sealed class DesiredHost
{
    private DesiredHost(BootEntry? boot) => Boot = boot;

    public List<DesiredPf> Pfs { get; } = [];

    public List<DesiredPool> Pools { get; } = [];

    public BootEntry? Boot { get; }

    /// <summary>Ids of entries refused above: pools naming them are not refused again for it.</summary>
    private HashSet<string> Refused { get; } = new(StringComparer.Ordinal);

    private void RefuseId(PfEntry entry)
    {
        if (entry.Id is not null)
        {
            Refused.Add(entry.Id);
        }
    }

    public static DesiredHost Resolve(ConfigurationDocument document, HostSession session, List<SriovException> problems)
    {
        var host = new DesiredHost(document.Boot);
        var all = session.AllPfs(includeNotCapable: true);
        var claimed = new Dictionary<string, PfEntry>(StringComparer.Ordinal);
        foreach (var entry in document.Pfs)
        {
            // Named by interface or address, any network function is the one meant; by driver or device id, only
            // PFs that can have VFs (an onboard I210 is igb too).
            var matched = all.Where(pf => entry.Matches(pf) && (entry.Name is not null || entry.PciAddress is not null || pf.TotalVfs > 0)).ToList();
            if (matched.Count == 0)
            {
                problems.Add(NotMatched(entry, all));
                host.RefuseId(entry);
                continue;
            }

            foreach (var pf in matched)
            {
                if (claimed.TryGetValue(pf.PciAddress, out var first))
                {
                    problems.Add(JsonFields.Problem(entry.At("match"), $"{Describe(pf)} is also matched by {first.Path}: each PF may be described once."));
                    host.RefuseId(entry);
                    continue;
                }

                claimed[pf.PciAddress] = entry;
                if (ResolvePf(entry, pf, session, problems) is { } desired)
                {
                    host.Pfs.Add(desired);
                }
                else
                {
                    host.RefuseId(entry);
                }
            }
        }

        CheckMacs(host, problems);
        foreach (var pool in document.Pools)
        {
            if (ResolvePool(pool, host, all, problems) is { } desired)
            {
                host.Pools.Add(desired);
            }
        }

        return host;
    }

    /// <summary><c>eno49 (igb 8086:1521, 0000:04:00.0)</c>.</summary>
    public static string Describe(SriovPf pf) =>
        $"{pf.Name ?? "(no interface)"} ({pf.Driver ?? "no driver"} {PfEntry.IdsOf(pf) ?? "?"}, {pf.PciAddress})";

    private static SriovException NotMatched(PfEntry entry, List<SriovPf> all) => new(
        ErrorCatalog.ConfigurationNotMatched,
        $"{entry.At("match")}: no PF of this host has {entry.Criteria()}. Its PFs: {(all.Count == 0 ? "none" : string.Join("; ", all.Select(Describe)))}.",
        entry.At("match"),
        "Match the PFs by driver or deviceId when hosts name them differently; nothing was changed.");

    private static DesiredPf? ResolvePf(PfEntry entry, SriovPf pf, HostSession session, List<SriovException> problems)
    {
        var desired = new DesiredPf(entry, pf);
        int before = problems.Count;
        if (entry.NumVfs is int count && count > pf.TotalVfs)
        {
            problems.Add(JsonFields.Problem(
                entry.At("numVfs"),
                pf.TotalVfs == 0
                    ? $"{Describe(pf)} cannot have VFs: it is not SR-IOV capable (sriov_totalvfs is missing or 0)."
                    : $"{count} is more VFs than {Describe(pf)} can have: its sriov_totalvfs is {pf.TotalVfs}."));
        }

        if (pf.Name is null && (entry.LinkUp is not null || entry.Mtu is not null || entry.Vfs.Exists(v => v.HasSettings)))
        {
            problems.Add(JsonFields.Problem(entry.Path, $"{Describe(pf)} has no interface in this network namespace, and its link and its VFs' settings are set through it."));
        }

        if (entry.Persist && entry.DriversAutoprobe == true && entry.Vfs.Exists(v => v.Driver is not null && !string.Equals(v.Driver, VfDriverName.Default, StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add(JsonFields.Problem(
                entry.At("driversAutoprobe"),
                $"true contradicts the VF drivers the entry persists: at boot {desired.Label}'s sriov_drivers_autoprobe is held at 0 so that udev binds each VF to its driver. Leave driversAutoprobe out, or make it false."));
        }

        foreach (var vf in entry.Vfs)
        {
            if (vf.Indexes[^1] >= desired.Count)
            {
                problems.Add(JsonFields.Problem(
                    vf.At("index"),
                    desired.Count == 0
                        ? $"{desired.Label} {(entry.NumVfs is null ? "has" : "is to have")} no VFs, so there is no VF {vf.Indexes[^1]}."
                        : $"VF {vf.Indexes[^1]} is beyond the {desired.Count} VFs {desired.Label} {(entry.NumVfs is null ? "has" : "is to have")} (0–{desired.Count - 1})."));
                continue;
            }

            // A VF the count step creates is untagged: a priority or a service tag alone has no tag to go on.
            bool created = entry.NumVfs is int asked && asked != pf.NumVfs || vf.Indexes[^1] >= pf.NumVfs;
            if (created && vf.Vlan is null && (vf.Qos is > 0 || vf.VlanProtocol == "802.1ad"))
            {
                problems.Add(JsonFields.Problem(
                    vf.At(vf.Qos is > 0 ? "qos" : "vlanProtocol"),
                    $"the VFs {desired.Label} is to get are created untagged, so {(vf.Qos is > 0 ? "a priority" : "a service tag")} needs a VLAN: give vlan in the same entry."));
                continue;
            }

            ResolveVfs(desired, vf, session, problems);
        }

        return problems.Count == before ? desired : null;
    }

    private static void ResolveVfs(DesiredPf pf, VfEntry entry, HostSession session, List<SriovException> problems)
    {
        string? driver = null;
        if (entry.Driver is { } named)
        {
            try
            {
                driver = VfDriverName.Parse(named) is { } parsed ? VfDriverName.Resolve(session.Files, parsed) : null;
            }
            catch (SriovException e)
            {
                problems.Add(JsonFields.Problem(entry.At("driver"), e.Message));
                return;
            }
        }

        if (entry.AutoMac && VfMacRule.For(VfMacRule.SourceOf(pf.Pf), 0) is null)
        {
            problems.Add(JsonFields.Problem(entry.At("mac"), $"\"auto\" derives each VF's MAC from its PF's, and {pf.Label} has none to read."));
            return;
        }

        foreach (int index in entry.Indexes)
        {
            string? mac = entry.AutoMac ? VfMacRule.For(VfMacRule.SourceOf(pf.Pf), index) : entry.MacAddress;
            try
            {
                var settings = VfSettingsRequest.Create(
                    macAddress: mac, vlan: entry.Vlan, qos: entry.Qos, vlanProtocol: entry.VlanProtocol, spoofCheck: entry.SpoofCheck,
                    trust: entry.Trust, linkState: entry.LinkState, minTxRate: entry.MinTxRate, maxTxRate: entry.MaxTxRate);
                pf.Vfs[index] = new DesiredVf(index, entry, mac, driver, settings);
            }
            catch (SriovException e)
            {
                problems.Add(JsonFields.Problem(entry.Path, e.Message));
                return;
            }
        }
    }

    /// <summary>Every MAC the document gives, "auto" ones included, belongs to one VF.</summary>
    private static void CheckMacs(DesiredHost host, List<SriovException> problems)
    {
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var said = new HashSet<VfEntry>();
        foreach (var pf in host.Pfs)
        {
            foreach (var vf in pf.Vfs.Values.Where(v => v.Mac is not null))
            {
                string label = $"{pf.Label} vf {vf.Index}";
                if (!owners.TryAdd(vf.Mac!, label) && said.Add(vf.Entry))
                {
                    problems.Add(JsonFields.Problem(vf.Entry.At("mac"), vf.Entry.AutoMac
                        ? $"{label} would get {vf.Mac}, which {owners[vf.Mac!]} gets too: their PFs' MACs derive the same addresses. Give these VFs their MACs in full."
                        : $"{vf.Mac} would go to {owners[vf.Mac!]} and to {label} (the entry matches {host.Pfs.Count(p => p.Entry == pf.Entry)} PFs): two VFs with one MAC break forwarding on the PF's switch. Give a MAC to a VF of one PF, or use \"auto\"."));
                }
            }
        }
    }

    private static DesiredPool? ResolvePool(PoolEntry pool, DesiredHost host, List<SriovPf> all, List<SriovException> problems)
    {
        var managed = new List<DesiredPf>();
        var others = new List<SriovPf>();
        int before = problems.Count;
        bool refusedEntry = false;
        for (int i = 0; i < pool.Pfs.Count; i++)
        {
            string reference = pool.Pfs[i];
            string path = string.Create(CultureInfo.InvariantCulture, $"{pool.At("pfs")}[{i}]");
            var byId = host.Pfs.Where(p => p.Entry.Id == reference).ToList();
            if (byId.Count == 0 && host.Pfs.Find(p => p.Pf.Name == reference) is { } byName)
            {
                byId.Add(byName);
            }

            if (byId.Count == 0 && host.Refused.Contains(reference))
            {
                // Its entry's own error says it; the pool is not made, and its other PFs are still checked.
                refusedEntry = true;
                continue;
            }

            if (byId.Count > 0)
            {
                managed.AddRange(byId.Where(p => !managed.Contains(p)));
                foreach (var pf in byId.Where(p => p.Count == 0))
                {
                    problems.Add(JsonFields.Problem(path, $"the pool would hand out the VFs of {pf.Label}, which the document leaves with none ({pf.Entry.At("numVfs")})."));
                }
            }
            else if (all.Find(p => p.Name == reference) is { } other)
            {
                others.Add(other);
                if (other.NumVfs == 0)
                {
                    problems.Add(JsonFields.Problem(path, $"{reference} has no VFs for the pool to hand out, and the document does not give it any."));
                }
            }
            else
            {
                problems.Add(JsonFields.Problem(path, $"'{reference}' is neither the id of a PF entry nor the interface of a PF of this host."));
            }
        }

        return problems.Count == before && !refusedEntry ? new DesiredPool(pool, managed, others) : null;
    }
}
