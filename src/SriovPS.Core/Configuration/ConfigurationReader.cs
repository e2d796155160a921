using System.Text.Json;
using SriovPS.PfSettings;
using SriovPS.Values;
using SriovPS.VfSettings;

namespace SriovPS.Configuration;

/// <summary>
/// Reads a configuration document's JSON and checks everything that needs no host: keys, types, ranges,
/// MACs, overlapping VF ranges, one MAC for two VFs. Every problem is collected with its JSON path, so one
/// run names them all; a document with any is never applied.
/// </summary>
internal static class ConfigurationReader
{
    private static readonly string[] DocumentKeys = ["pfs", "pools", "boot"];
    private static readonly string[] PfKeys = ["id", "match", "numVfs", "driversAutoprobe", "eswitchMode", "linkState", "mtu", "persist", "vfs"];
    private static readonly string[] MatchKeys = ["name", "pciAddress", "driver", "deviceId"];
    private static readonly string[] VfKeys = ["index", "driver", "mac", "vlan", "qos", "vlanProtocol", "spoofCheck", "trust", "linkState", "minTxRate", "maxTxRate"];
    private static readonly string[] PoolKeys = ["name", "pfs", "autostart", "started"];
    private static readonly string[] BootKeys = ["iommu", "vfioModules", "appArmor"];

    /// <summary>The most VFs a PCI function can have (the SR-IOV capability's 16-bit TotalVFs).</summary>
    internal const int MaxVfs = 65535;

    /// <param name="problems">Every problem found, each naming its path; the document is not to be applied if there is one.</param>
    public static ConfigurationDocument Read(string json, List<SriovException> problems)
    {
        var document = new ConfigurationDocument();
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            problems.Add(JsonFields.Problem(string.Empty, $"is not JSON: {e.Message}"));
            return document;
        }

        using (parsed)
        {
            if (JsonFields.Of(parsed.RootElement, string.Empty, DocumentKeys, problems) is not { } root)
            {
                return document;
            }

            foreach (var (element, path) in root.Array("pfs"))
            {
                if (ReadPf(element, path, problems) is { } pf)
                {
                    document.Pfs.Add(pf);
                }
            }

            foreach (var (element, path) in root.Array("pools"))
            {
                if (ReadPool(element, path, problems) is { } pool)
                {
                    document.Pools.Add(pool);
                }
            }

            if (root.Raw("boot") is { } boot)
            {
                document.Boot = ReadBoot(boot, problems);
            }
        }

        CheckAcrossEntries(document, problems);
        return document;
    }

    private static PfEntry? ReadPf(JsonElement element, string path, List<SriovException> problems)
    {
        if (JsonFields.Of(element, path, PfKeys, problems) is not { } fields)
        {
            return null;
        }

        var pf = new PfEntry(path)
        {
            Id = fields.String("id"),
            NumVfs = fields.Int("numVfs", 0, MaxVfs, "VF count"),
            DriversAutoprobe = fields.Bool("driversAutoprobe"),
            EswitchMode = fields.Word("eswitchMode", ["legacy", "switchdev"]) is int mode ? (EswitchMode)mode : null,
            LinkUp = fields.Word("linkState", ["down", "up"]) is int up ? up == 1 : null,
            Mtu = fields.Int("mtu", PfLinkPlan.MinMtu, PfLinkPlan.MaxMtu, "MTU"),
            Persist = fields.Bool("persist") ?? false,
        };

        ReadMatch(fields, pf, problems);

        var taken = new Dictionary<int, string>();
        foreach (var (vfElement, vfPath) in fields.Array("vfs"))
        {
            if (ReadVf(vfElement, vfPath, problems) is not { } vf)
            {
                continue;
            }

            foreach (int index in vf.Indexes)
            {
                if (taken.TryGetValue(index, out string? first))
                {
                    problems.Add(JsonFields.Problem(vf.At("index"), $"VF {index} is also named by {first}: each VF may be named once per PF."));
                    break;
                }

                taken[index] = first = vf.Path;
            }

            pf.Vfs.Add(vf);
        }

        if (pf.Persist && pf.NumVfs is null && pf.LinkUp is null && pf.Mtu is null && !pf.Vfs.Exists(v => v.Driver is not null))
        {
            fields.Fail("persist", "keeps the VF count, the VF drivers and the PF's link across boots, and this entry names none of them (VF settings are the running kernel's and are not kept).");
        }

        return pf;
    }

    private static void ReadMatch(JsonFields fields, PfEntry pf, List<SriovException> problems)
    {
        if (fields.Raw("match") is not { } element)
        {
            if (!fields.Has("match"))
            {
                fields.Fail("match", "is missing: say which PFs the entry is for by name, pciAddress, driver or deviceId.");
            }

            return;
        }

        if (JsonFields.Of(element, fields.At("match"), MatchKeys, problems) is not { } match)
        {
            return;
        }

        pf.Name = match.String("name");
        if (pf.Name is not null)
        {
            Check(() => InterfaceName.Validate(pf.Name), match.At("name"), problems);
        }

        if (match.String("pciAddress") is { } pci && Check(() => Values.PciAddress.Normalize(pci), match.At("pciAddress"), problems))
        {
            pf.PciAddress = Values.PciAddress.Normalize(pci);
        }

        pf.Driver = match.String("driver");
        pf.DeviceId = match.String("deviceId")?.ToLowerInvariant();
        if (pf.DeviceId is not null && !IsDeviceId(pf.DeviceId))
        {
            match.Fail("deviceId", $"'{pf.DeviceId}' is not a vendor:device id such as 8086:1521 (four hexadecimal digits each, as lspci -n shows them).");
        }

        if (!MatchKeys.Any(match.Has))
        {
            problems.Add(JsonFields.Problem(fields.At("match"), "names nothing to match: give name, pciAddress, driver or deviceId."));
        }
    }

    private static bool IsDeviceId(string text) =>
        text.Length == 9 && text[4] == ':' && text.Remove(4, 1).All(Uri.IsHexDigit);

    private static VfEntry? ReadVf(JsonElement element, string path, List<SriovException> problems)
    {
        if (JsonFields.Of(element, path, VfKeys, problems) is not { } fields)
        {
            return null;
        }

        var vf = new VfEntry(path)
        {
            Driver = fields.String("driver"),
            Vlan = fields.Int("vlan", 0, VfSettingsRequest.MaxVlan, "VLAN"),
            Qos = fields.Int("qos", 0, VfSettingsRequest.MaxQos, "QoS (802.1p priority)"),
            VlanProtocol = fields.Word("vlanProtocol", ["802.1Q", "802.1ad"]) is int protocol ? (protocol == 0 ? "802.1Q" : "802.1ad") : null,
            SpoofCheck = fields.Bool("spoofCheck"),
            Trust = fields.Bool("trust"),
            LinkState = fields.Word("linkState", ["auto", "enable", "disable"]) is int state ? (VfLinkState)state : null,
            MinTxRate = fields.Int("minTxRate", 0, int.MaxValue, "minimum rate (Mbit/s)"),
            MaxTxRate = fields.Int("maxTxRate", 0, int.MaxValue, "maximum rate (Mbit/s)"),
        };

        if (!ReadIndexes(fields, vf))
        {
            return null;
        }

        if (vf.Driver is not null)
        {
            Check(() => VfDriver.VfDriverName.Parse(vf.Driver), fields.At("driver"), problems);
        }

        if (fields.String("mac") is { } mac)
        {
            if (string.Equals(mac, "auto", StringComparison.OrdinalIgnoreCase))
            {
                vf.AutoMac = true;
            }
            else if (MacAddress.TryParse(mac) is { } octets && Array.TrueForAll(octets, static b => b == 0))
            {
                fields.Fail("mac", $"'{mac}' is all zeros, which the kernel takes as \"no MAC\": give the VF a unicast MAC, or leave mac out to leave the VF's MAC alone.");
            }
            else if (Check(() => MacAddress.ParseUnicast(mac), fields.At("mac"), problems))
            {
                vf.MacAddress = mac.Replace('-', ':').ToLowerInvariant();
                if (vf.Indexes.Count > 1)
                {
                    fields.Fail("mac", $"gives {mac} to {vf.Indexes.Count} VFs; two VFs with one MAC break forwarding on the PF's switch. Give each VF its own MAC, or \"auto\".");
                }
            }
        }

        // The values together, as Set-SriovVf checks them, in the document's words.
        if (vf.Vlan == 0 && vf.Qos is > 0)
        {
            fields.Fail("qos", $"{vf.Qos} is the priority of the VF's VLAN tag, and vlan 0 sends it untagged: give a VLAN from 1 to {VfSettingsRequest.MaxVlan}, or leave qos out.");
        }

        if (vf.Vlan == 0 && vf.VlanProtocol == "802.1ad")
        {
            fields.Fail("vlanProtocol", $"802.1ad names the tag to push, and vlan 0 sends the VF's frames untagged: give a VLAN from 1 to {VfSettingsRequest.MaxVlan}.");
        }

        if (vf.MinTxRate is int min && vf.MaxTxRate is int max && max != 0 && min > max)
        {
            fields.Fail("minTxRate", $"{min} Mbit/s is above maxTxRate {max}: raise maxTxRate, or make it 0 (no limit).");
        }

        return vf;
    }

    /// <summary><c>3</c>, <c>"3"</c> or <c>"0-3"</c>.</summary>
    private static bool ReadIndexes(JsonFields fields, VfEntry vf)
    {
        if (fields.Raw("index") is not { } value)
        {
            if (!fields.Has("index"))
            {
                fields.Fail("index", "is missing: name the VF (3) or a range of VFs (\"0-3\").");
            }

            return false;
        }

        int first, last;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number == Math.Floor(number) && number is >= 0 and < MaxVfs)
        {
            first = last = (int)number;
        }
        else if (value.ValueKind == JsonValueKind.String && ParseRange(value.GetString()!, out first, out last))
        {
            if (last < first)
            {
                fields.Fail("index", $"\"{value.GetString()}\" runs backwards: write the lower VF first (\"{last}-{first}\").");
                return false;
            }
        }
        else
        {
            fields.Fail("index", $"is {JsonFields.Kind(value)}; a VF number (3) or a range (\"0-3\") was expected.");
            return false;
        }

        if (last >= MaxVfs)
        {
            fields.Fail("index", string.Create(CultureInfo.InvariantCulture, $"VF {last} is beyond the {MaxVfs} VFs a PCI function can have."));
            return false;
        }

        vf.Indexes.AddRange(Enumerable.Range(first, last - first + 1));
        return true;
    }

    private static bool ParseRange(string text, out int first, out int last)
    {
        last = -1;
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        var style = NumberStyles.None;
        if (dash < 0)
        {
            bool single = int.TryParse(text, style, CultureInfo.InvariantCulture, out first);
            last = first;
            return single;
        }

        return int.TryParse(text.AsSpan(0, dash), style, CultureInfo.InvariantCulture, out first)
            & int.TryParse(text.AsSpan(dash + 1), style, CultureInfo.InvariantCulture, out last);
    }

    private static PoolEntry? ReadPool(JsonElement element, string path, List<SriovException> problems)
    {
        if (JsonFields.Of(element, path, PoolKeys, problems) is not { } fields)
        {
            return null;
        }

        if (fields.String("name") is not { } name)
        {
            if (!fields.Has("name"))
            {
                fields.Fail("name", "is missing: name the libvirt network.");
            }

            return null;
        }

        var pool = new PoolEntry(path, name) { Autostart = fields.Bool("autostart"), Started = fields.Bool("started") };
        foreach (var (pfElement, pfPath) in fields.Array("pfs"))
        {
            if (pfElement.ValueKind == JsonValueKind.String && pfElement.GetString() is { Length: > 0 } pf)
            {
                pool.Pfs.Add(pf);
            }
            else
            {
                problems.Add(JsonFields.Problem(pfPath, $"is {JsonFields.Kind(pfElement)}; a PF entry's id or a PF's interface name was expected."));
            }
        }

        if (!fields.Has("pfs"))
        {
            fields.Fail("pfs", "is missing: name the PFs whose VFs the pool hands out (a PF entry's id, or an interface name).");
        }
        else if (pool.Pfs.Count == 0 && fields.Has("pfs") && !problems.Exists(p => p.Target as string == fields.At("pfs")))
        {
            fields.Fail("pfs", "is empty: name the PFs whose VFs the pool hands out (a PF entry's id, or an interface name).");
        }

        return pool;
    }

    private static BootEntry? ReadBoot(JsonElement element, List<SriovException> problems)
    {
        if (JsonFields.Of(element, "boot", BootKeys, problems) is not { } fields)
        {
            return null;
        }

        var boot = new BootEntry();
        foreach (string key in BootKeys)
        {
            if (fields.Bool(key) is not bool wanted)
            {
                continue;
            }

            if (!wanted)
            {
                // Taking a boot setting away could leave guests without their devices: that is a decision for the admin.
                fields.Fail(key, "false is not something the module does: it adds boot settings, never removes them. Leave the key out to leave it alone.");
                continue;
            }

            switch (key)
            {
                case "iommu": boot.Iommu = true; break;
                case "vfioModules": boot.VfioModules = true; break;
                default: boot.AppArmor = true; break;
            }
        }

        return boot;
    }

    /// <summary>What only the whole document shows: ids and pool names given twice, one MAC for two VFs.</summary>
    private static void CheckAcrossEntries(ConfigurationDocument document, List<SriovException> problems)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pf in document.Pfs.Where(p => p.Id is not null))
        {
            if (!ids.TryAdd(pf.Id!, pf.Path))
            {
                problems.Add(JsonFields.Problem(pf.At("id"), $"'{pf.Id}' is also the id of {ids[pf.Id!]}."));
            }
        }

        var pools = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pool in document.Pools)
        {
            if (!pools.TryAdd(pool.Name, pool.Path))
            {
                problems.Add(JsonFields.Problem(pool.At("name"), $"the network '{pool.Name}' is also described by {pools[pool.Name]}."));
            }
        }

        var macs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vf in document.Pfs.SelectMany(p => p.Vfs).Where(v => v.MacAddress is not null))
        {
            if (!macs.TryAdd(vf.MacAddress!, vf.Path))
            {
                problems.Add(JsonFields.Problem(vf.At("mac"), $"{vf.MacAddress} is also given by {macs[vf.MacAddress!]}: two VFs with one MAC break forwarding on the PF's switch."));
            }
        }
    }

    /// <returns>Whether <paramref name="check"/> passed; its refusal is kept as a problem at <paramref name="path"/>.</returns>
    private static bool Check(Action check, string path, List<SriovException> problems)
    {
        try
        {
            check();
            return true;
        }
        catch (SriovException e)
        {
            problems.Add(JsonFields.Problem(path, e.Message));
            return false;
        }
    }

    private static bool Check(Func<object?> check, string path, List<SriovException> problems) => Check(() => { check(); }, path, problems);
}
