using System.IO;
using System.Text.Json;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.VfCount;

namespace SriovPS.Snapshot;

/// <summary>A process or namespace holding a VF of the PF at <paramref name="PfPciAddress"/> when a snapshot was taken.</summary>
internal sealed record SavedHolder(string PfPciAddress, VfHolder Holder);

/// <summary>
/// What only the running kernel knew when a snapshot was taken: each PF's link as netlink reported it
/// (with every VF's settings and counters), its addresses, each PF's eswitch mode from devlink, and
/// what held its VFs. Written as <c>kernel.json</c>, with names as <c>ip -j -d link</c> and devlink
/// use them where they have one, so a reader of the snapshot can check it by eye.
/// </summary>
internal sealed class SavedKernel
{
    public const string FileName = "kernel.json";

    public Dictionary<string, LinkInfo> Links { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<string>> Addresses { get; } = new(StringComparer.Ordinal);

    /// <summary>PF PCI address → eswitch mode, for the PFs devlink knows.</summary>
    public Dictionary<string, EswitchMode> EswitchModes { get; } = new(StringComparer.Ordinal);

    public List<SavedHolder> Holders { get; } = [];

    /// <summary>Interface name → its hw-tc-offload feature; a snapshot taken before it was saved has none.</summary>
    public Dictionary<string, NetdevFeatureState> HwTcOffload { get; } = new(StringComparer.Ordinal);

    /// <summary>The link of <paramref name="name"/> as saved, without the VF list unless <paramref name="vfs"/>, without counters unless <paramref name="statistics"/>.</summary>
    public LinkInfo? Link(string name, bool vfs, bool statistics)
    {
        if (!Links.TryGetValue(name, out var saved))
        {
            return null;
        }

        var copy = new LinkInfo
        {
            Index = saved.Index, DeviceType = saved.DeviceType, Flags = saved.Flags, Name = saved.Name, Address = saved.Address,
            PermanentAddress = saved.PermanentAddress, Broadcast = saved.Broadcast, Mtu = saved.Mtu, OperState = saved.OperState,
            Link = saved.Link, NumVfs = saved.NumVfs,
            HasVfList = vfs && saved.HasVfList,
            VfListTruncated = vfs && saved.VfListTruncated,
            Vfs = vfs ? saved.Vfs.Select(v => Copy(v, statistics)).ToList() : [],
        };
        return copy;
    }

    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("links");
        foreach (var (name, link) in Links.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            WriteLink(json, name, link);
        }

        json.WriteEndArray();
        json.WriteStartObject("addresses");
        foreach (var (name, addresses) in Addresses.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(name);
            addresses.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartObject("eswitchModes");
        foreach (var (pf, mode) in EswitchModes.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            json.WriteString(pf, mode == EswitchMode.Switchdev ? "switchdev" : "legacy");
        }

        json.WriteEndObject();
        json.WriteStartArray("holders");
        foreach (var (pf, holder) in Holders)
        {
            json.WriteStartObject();
            json.WriteString("pf", pf);
            json.WriteString("kind", holder.Kind.ToString());
            WriteNumber(json, "vf", holder.VfIndex);
            json.WriteString("vfPciAddress", holder.VfPciAddress);
            WriteNumber(json, "pid", holder.ProcessId);
            json.WriteString("command", holder.CommandLine);
            json.WriteString("path", holder.Path);
            json.WriteString("description", holder.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("hwTcOffload");
        foreach (var (name, state) in HwTcOffload.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(name);
            json.WriteBoolean("active", state.Active);
            json.WriteBoolean("changeable", state.Changeable);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <exception cref="FormatException">The file is not a snapshot's kernel state.</exception>
    public static SavedKernel Read(string path)
    {
        var saved = new SavedKernel();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            foreach (var link in root.GetProperty("links").EnumerateArray())
            {
                saved.Links[link.GetProperty("name").GetString()!] = ReadLink(link);
            }

            foreach (var entry in root.GetProperty("addresses").EnumerateObject())
            {
                saved.Addresses[entry.Name] = entry.Value.EnumerateArray().Select(a => a.GetString()!).ToList();
            }

            foreach (var entry in root.GetProperty("eswitchModes").EnumerateObject())
            {
                saved.EswitchModes[entry.Name] = entry.Value.GetString() == "switchdev" ? EswitchMode.Switchdev : EswitchMode.Legacy;
            }

            foreach (var holder in root.GetProperty("holders").EnumerateArray())
            {
                saved.Holders.Add(new SavedHolder(holder.GetProperty("pf").GetString()!, new VfHolder(
                    Enum.Parse<VfHoldKind>(holder.GetProperty("kind").GetString()!),
                    Int(holder, "vf"), String(holder, "vfPciAddress"), Int(holder, "pid"), String(holder, "command"), String(holder, "path"))));
            }

            if (root.TryGetProperty("hwTcOffload", out var features))
            {
                foreach (var entry in features.EnumerateObject())
                {
                    saved.HwTcOffload[entry.Name] = new NetdevFeatureState(
                        entry.Value.GetProperty("active").GetBoolean(), entry.Value.GetProperty("changeable").GetBoolean());
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new FormatException($"{path} is not the kernel state of a snapshot: {e.Message}", e);
        }

        return saved;
    }

    private static void WriteLink(Utf8JsonWriter json, string name, LinkInfo link)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteNumber("ifindex", link.Index);
        json.WriteNumber("type", link.DeviceType);
        json.WriteNumber("flags", link.Flags);
        json.WriteString("address", Mac(link.Address));
        json.WriteString("permaddr", Mac(link.PermanentAddress));
        json.WriteString("broadcast", Mac(link.Broadcast));
        WriteNumber(json, "mtu", link.Mtu);
        WriteNumber(json, "operstate", link.OperState);
        WriteNumber(json, "link", link.Link);
        WriteNumber(json, "num_vf", link.NumVfs);
        json.WriteBoolean("vfListReported", link.HasVfList);
        json.WriteBoolean("vfListTruncated", link.VfListTruncated);
        json.WriteStartArray("vfinfo_list");
        foreach (var vf in link.Vfs)
        {
            json.WriteStartObject();
            json.WriteNumber("vf", vf.Index);
            json.WriteString("address", Mac(vf.MacAddress));
            json.WriteString("broadcast", Mac(vf.Broadcast));
            WriteNumber(json, "vlan", vf.Vlan);
            WriteNumber(json, "qos", vf.Qos);
            WriteNumber(json, "vlan_protocol", vf.VlanProtocol);
            WriteNumber(json, "tx_rate", vf.TxRate);
            WriteNumber(json, "min_tx_rate", vf.MinTxRate);
            WriteNumber(json, "max_tx_rate", vf.MaxTxRate);
            WriteBoolean(json, "spoofchk", vf.SpoofCheck);
            WriteNumber(json, "link_state", vf.LinkState);
            WriteBoolean(json, "query_rss_en", vf.RssQuery);
            WriteBoolean(json, "trust", vf.Trust);
            WriteUnsigned(json, "node_guid", vf.NodeGuid);
            WriteUnsigned(json, "port_guid", vf.PortGuid);
            if (vf.Statistics is { } counters)
            {
                json.WriteStartObject("stats");
                json.WriteNumber("rx_packets", counters.RxPackets);
                json.WriteNumber("tx_packets", counters.TxPackets);
                json.WriteNumber("rx_bytes", counters.RxBytes);
                json.WriteNumber("tx_bytes", counters.TxBytes);
                json.WriteNumber("broadcast", counters.Broadcast);
                json.WriteNumber("multicast", counters.Multicast);
                json.WriteNumber("rx_dropped", counters.RxDropped);
                json.WriteNumber("tx_dropped", counters.TxDropped);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static LinkInfo ReadLink(JsonElement link) => new()
    {
        Name = link.GetProperty("name").GetString(),
        Index = link.GetProperty("ifindex").GetInt32(),
        DeviceType = link.GetProperty("type").GetUInt16(),
        Flags = link.GetProperty("flags").GetUInt32(),
        Address = Bytes(link, "address"),
        PermanentAddress = Bytes(link, "permaddr"),
        Broadcast = Bytes(link, "broadcast"),
        Mtu = Checked<uint>(link, "mtu"),
        OperState = Checked<byte>(link, "operstate"),
        Link = Int(link, "link"),
        NumVfs = Int(link, "num_vf"),
        HasVfList = link.GetProperty("vfListReported").GetBoolean(),
        VfListTruncated = link.GetProperty("vfListTruncated").GetBoolean(),
        Vfs = link.GetProperty("vfinfo_list").EnumerateArray().Select(vf => new VfInfo
        {
            Index = vf.GetProperty("vf").GetInt32(),
            MacAddress = Bytes(vf, "address"),
            Broadcast = Bytes(vf, "broadcast"),
            Vlan = Checked<uint>(vf, "vlan"),
            Qos = Checked<uint>(vf, "qos"),
            VlanProtocol = Checked<ushort>(vf, "vlan_protocol"),
            TxRate = Checked<uint>(vf, "tx_rate"),
            MinTxRate = Checked<uint>(vf, "min_tx_rate"),
            MaxTxRate = Checked<uint>(vf, "max_tx_rate"),
            SpoofCheck = Boolean(vf, "spoofchk"),
            LinkState = Checked<uint>(vf, "link_state"),
            RssQuery = Boolean(vf, "query_rss_en"),
            Trust = Boolean(vf, "trust"),
            NodeGuid = vf.TryGetProperty("node_guid", out var node) && node.ValueKind == JsonValueKind.Number ? node.GetUInt64() : null,
            PortGuid = vf.TryGetProperty("port_guid", out var port) && port.ValueKind == JsonValueKind.Number ? port.GetUInt64() : null,
            Statistics = vf.TryGetProperty("stats", out var stats) ? new VfStatistics
            {
                RxPackets = stats.GetProperty("rx_packets").GetUInt64(),
                TxPackets = stats.GetProperty("tx_packets").GetUInt64(),
                RxBytes = stats.GetProperty("rx_bytes").GetUInt64(),
                TxBytes = stats.GetProperty("tx_bytes").GetUInt64(),
                Broadcast = stats.GetProperty("broadcast").GetUInt64(),
                Multicast = stats.GetProperty("multicast").GetUInt64(),
                RxDropped = stats.GetProperty("rx_dropped").GetUInt64(),
                TxDropped = stats.GetProperty("tx_dropped").GetUInt64(),
            } : null,
        }).ToList(),
    };

    private static VfInfo Copy(VfInfo vf, bool statistics) => new()
    {
        Index = vf.Index, MacAddress = vf.MacAddress, Broadcast = vf.Broadcast, Vlan = vf.Vlan, Qos = vf.Qos, VlanProtocol = vf.VlanProtocol,
        TxRate = vf.TxRate, MinTxRate = vf.MinTxRate, MaxTxRate = vf.MaxTxRate, SpoofCheck = vf.SpoofCheck, LinkState = vf.LinkState,
        RssQuery = vf.RssQuery, Trust = vf.Trust, NodeGuid = vf.NodeGuid, PortGuid = vf.PortGuid,
        Statistics = statistics ? vf.Statistics : null,
    };

    private static string? Mac(byte[]? address) => Kernel.KernelLinkMapping.FormatAddress(address);

    private static byte[]? Bytes(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.GetString() is { } text
            ? text.Length == 0 ? [] : text.Split(':').Select(b => byte.Parse(b, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToArray()
            : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static int? Int(JsonElement element, string name) => Checked<int>(element, name);

    // A number the kernel's field can hold; one that overflows it makes the file unreadable, never a wrapped value.
    private static T? Checked<T>(JsonElement element, string name)
        where T : struct, System.Numerics.INumber<T> =>
        Long(element, name) is long value ? T.CreateChecked(value) : null;

    private static bool? Boolean(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long number)
        {
            json.WriteNumber(name, number);
        }
    }

    private static void WriteUnsigned(Utf8JsonWriter json, string name, ulong? value)
    {
        if (value is ulong number)
        {
            json.WriteNumber(name, number);
        }
    }

    private static void WriteBoolean(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is bool flag)
        {
            json.WriteBoolean(name, flag);
        }
    }
}
