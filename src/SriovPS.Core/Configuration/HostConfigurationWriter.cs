using System.IO;
using System.Text;
using System.Text.Json;
using SriovPS.Boot;
using SriovPS.Native.Netlink;
using SriovPS.VfDriver;

namespace SriovPS.Configuration;

/// <summary>
/// Writes the host as a configuration document (<c>Get-SriovConfiguration</c>): each PF with VFs or able to
/// have them, by interface name; its VFs in runs of equal settings, a VF with a MAC on its own; its pools;
/// the boot settings it already has. Only what the host reports is written, so applying the document
/// changes nothing.
/// </summary>
internal sealed class HostConfigurationWriter(HostSession session, IHostReport report)
{
    public const string SchemaFile = "SriovPS.Configuration.schema.json";

    /// <param name="pfs">The PFs to describe; pools are written only when all their PFs are among them.</param>
    /// <param name="schema">Where editors find the document's schema (the module's copy).</param>
    public string Write(IReadOnlyList<SriovPf> pfs, string schema)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", schema);
            json.WriteStartArray("pfs");
            foreach (var pf in pfs)
            {
                WritePf(json, pf);
            }

            json.WriteEndArray();
            WritePools(json, pfs);
            WriteBoot(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WritePf(Utf8JsonWriter json, SriovPf pf)
    {
        json.WriteStartObject();
        json.WriteStartObject("match");
        if (pf.Name is { } name)
        {
            json.WriteString("name", name);
        }
        else
        {
            json.WriteString("pciAddress", pf.PciAddress);
        }

        json.WriteEndObject();
        json.WriteNumber("numVfs", pf.NumVfs);
        if (pf.DriversAutoprobe is bool autoprobe)
        {
            json.WriteBoolean("driversAutoprobe", autoprobe);
        }

        if (pf.EswitchMode is { } mode)
        {
            json.WriteString("eswitchMode", mode == EswitchMode.Switchdev ? "switchdev" : "legacy");
        }

        if (pf.Name is not null && session.KernelLinks?.Read(pf.Name) is { } link)
        {
            json.WriteString("linkState", (link.Flags & LinkChanges.IFF_UP) != 0 ? "up" : "down");
            if (link.Mtu is uint mtu)
            {
                json.WriteNumber("mtu", mtu);
            }
        }

        if (pf.NumVfs > 0)
        {
            json.WriteStartArray("vfs");
            foreach (var (first, last, vf, driver) in Runs(pf))
            {
                WriteVf(json, first, last, vf, driver);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>Consecutive VFs with the same driver and settings and no MAC of their own, as one entry each run.</summary>
    private IEnumerable<(int First, int Last, SriovVf Vf, string? Driver)> Runs(SriovPf pf)
    {
        (int First, int Last, SriovVf Vf, string? Driver)? run = null;
        foreach (var vf in session.VfsOf(pf).OrderBy(v => v.Index))
        {
            string? driver = DriverWord(pf, vf);
            if (run is { } open && !HasMac(vf) && !HasMac(open.Vf) && open.Last == vf.Index - 1 && open.Driver == driver && SameSettings(open.Vf, vf))
            {
                run = open with { Last = vf.Index };
                continue;
            }

            if (run is { } done)
            {
                yield return done;
            }

            run = (vf.Index, vf.Index, vf, driver);
        }

        if (run is { } final)
        {
            yield return final;
        }
    }

    /// <summary><c>default</c> when the VF is on the driver it matches with no override; its driver's name when that is chosen; null without one.</summary>
    private string? DriverWord(SriovPf pf, SriovVf vf)
    {
        if (VfDriverPlan.For(session.Files, [(pf, vf)], null).Moves.Count == 0)
        {
            return "default";
        }

        return vf.Driver is { } driver && VfDriverPlan.For(session.Files, [(pf, vf)], driver).Moves.Count == 0 ? driver : null;
    }

    private static bool HasMac(SriovVf vf) => vf.MacAddress is { } mac && mac != "00:00:00:00:00:00";

    private static bool SameSettings(SriovVf a, SriovVf b) =>
        a.Vlan == b.Vlan && a.Qos == b.Qos && a.VlanProtocol == b.VlanProtocol && a.SpoofCheck == b.SpoofCheck && a.Trust == b.Trust
        && a.LinkState == b.LinkState && a.MinTxRate == b.MinTxRate && a.MaxTxRate == b.MaxTxRate;

    private static void WriteVf(Utf8JsonWriter json, int first, int last, SriovVf vf, string? driver)
    {
        json.WriteStartObject();
        if (first == last)
        {
            json.WriteNumber("index", first);
        }
        else
        {
            json.WriteString("index", string.Create(CultureInfo.InvariantCulture, $"{first}-{last}"));
        }

        if (driver is not null)
        {
            json.WriteString("driver", driver);
        }

        if (HasMac(vf))
        {
            json.WriteString("mac", vf.MacAddress);
        }

        if (vf.Vlan is int vlan)
        {
            json.WriteNumber("vlan", vlan);
            if (vlan != 0 && vf.Qos is int qos)
            {
                json.WriteNumber("qos", qos);
            }

            if (vlan != 0 && vf.VlanProtocol is { } protocol)
            {
                json.WriteString("vlanProtocol", protocol);
            }
        }

        WriteBool(json, "spoofCheck", vf.SpoofCheck);
        WriteBool(json, "trust", vf.Trust);
        if (vf.LinkState is { } state)
        {
            json.WriteString("linkState", state.ToString().ToLowerInvariant());
        }

        if (vf.MinTxRate is int min && vf.MaxTxRate is int max)
        {
            json.WriteNumber("minTxRate", min);
            json.WriteNumber("maxTxRate", max);
        }

        json.WriteEndObject();
    }

    private static void WriteBool(Utf8JsonWriter json, string key, bool? value)
    {
        if (value is bool given)
        {
            json.WriteBoolean(key, given);
        }
    }

    private void WritePools(Utf8JsonWriter json, IReadOnlyList<SriovPf> pfs)
    {
        if (session.HostLibvirt() is not { } libvirt)
        {
            return;
        }

        var names = pfs.Select(p => p.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var vfsOf = session.PfVfAddresses(pfs);
        var pools = new List<(Libvirt.HostdevNetworkState Network, IReadOnlyList<string> Pfs)>();
        try
        {
            foreach (var network in libvirt.ReadInventory().Networks)
            {
                // A pool over a PF without VFs cannot be asked for: the document would leave it nothing to hand out.
                if (PoolPfs(network, vfsOf) is { } owners && owners.All(names.Contains)
                    && owners.All(owner => vfsOf.Find(p => p.Name == owner)?.VfAddresses.Count > 0))
                {
                    pools.Add((network, owners));
                }
            }
        }
        catch (SriovException e)
        {
            report.Warn($"The pools are not written: libvirt ({libvirt.Uri}) could not be read: {e.Message}");
            return;
        }

        if (pools.Count == 0)
        {
            return;
        }

        json.WriteStartArray("pools");
        foreach (var (network, owners) in pools)
        {
            json.WriteStartObject();
            json.WriteString("name", network.Name);
            json.WriteStartArray("pfs");
            owners.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteBoolean("autostart", network.Autostart);
            json.WriteBoolean("started", network.Active);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The PFs a pool hands out the VFs of: those it names, or, for a pool over several PFs (a fixed list of
    /// VF addresses), the PFs whose VFs it lists, all of them; null (warned) for a list that is not so.
    /// </summary>
    private IReadOnlyList<string>? PoolPfs(Libvirt.HostdevNetworkState network, List<Libvirt.PfVfAddresses> vfsOf)
    {
        if (network.Definition.PfNames.Count > 0)
        {
            return network.Definition.PfNames;
        }

        var listed = network.Definition.Addresses.ToHashSet(StringComparer.Ordinal);
        var owners = vfsOf.Where(pf => pf.VfAddresses.Any(listed.Contains)).ToList();
        if (owners.Count > 0 && owners.Sum(pf => pf.VfAddresses.Count) == listed.Count && owners.All(pf => pf.VfAddresses.All(listed.Contains)))
        {
            return owners.Select(pf => pf.Name).ToList();
        }

        report.Warn($"The pool '{network.Name}' is not written: it lists VFs that are not all the VFs of some PFs, which a document cannot say.");
        return null;
    }

    /// <summary>The boot settings the host already has: asking for them again changes nothing.</summary>
    private void WriteBoot(Utf8JsonWriter json)
    {
        var setup = IommuSetup.Plan(session.Files, [], commandLine: true, modules: true);
        bool iommu = setup.Grub is { Changes: false };
        bool modules = setup.Modules is { Changes: false };
        if (!iommu && !modules)
        {
            return;
        }

        json.WriteStartObject("boot");
        if (iommu)
        {
            json.WriteBoolean("iommu", true);
        }

        if (modules)
        {
            json.WriteBoolean("vfioModules", true);
        }

        json.WriteEndObject();
    }
}
