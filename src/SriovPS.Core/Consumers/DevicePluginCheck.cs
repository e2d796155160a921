using System.Text.Json;
using SriovPS.Discovery;
using SriovPS.Native.Files;
using SriovPS.Readiness;
using SriovPS.VfCount;

namespace SriovPS.Consumers;

/// <summary>
/// Whether the SR-IOV network device plugin's configuration (<c>/etc/pcidp/config.json</c>, where a node
/// mounts its ConfigMap) has a resource that selects a PF's VFs on vfio-pci, so KubeVirt can ask for them.
/// A selector field that is absent matches anything, as in the plugin; those present must all match.
/// </summary>
internal static class DevicePluginCheck
{
    public const string ConfigPath = "/etc/pcidp/config.json";

    /// <param name="exportedPfs">The PFs a remedy should name: every PF of the run with VFs on vfio-pci (the file is written whole).</param>
    public static void Run(HostCheckList checks, HostFileSystem files, SriovPf pf, IReadOnlyList<SriovVf> vfs, IReadOnlyList<string> exportedPfs)
    {
        string target = pf.ToString();
        var onVfio = vfs.Where(vf => VfHolderScan.IsVfioDriver(vf.Driver)).ToList();
        if (onVfio.Count == 0)
        {
            checks.Skip(ConsumerChecks.DevicePluginId, target, $"Not judged: no VF of {target} is on vfio-pci ({ConsumerChecks.VfioDriverId}).");
            return;
        }

        string names = exportedPfs.Count > 0 ? string.Join(",", exportedPfs) : pf.Name ?? pf.PciAddress;
        string remedy = $"Export-SriovConfig -Format DevicePlugin -PfName {names} -Path {ConfigPath} " +
            "(where the plugin's ConfigMap is mounted there, put the output without -Path into the ConfigMap instead).";
        string? text = HostText.Read(files, ConfigPath);
        if (text is null)
        {
            checks.Warn(ConsumerChecks.DevicePluginId, target,
                $"{ConfigPath} does not exist: the SR-IOV network device plugin has no resource for the VFs of {target} on vfio-pci, " +
                "so KubeVirt cannot ask for them.",
                remedy);
            return;
        }

        List<Resource> resources;
        try
        {
            resources = Resources(text);
        }
        catch (JsonException e)
        {
            checks.Warn(ConsumerChecks.DevicePluginId, target, $"{ConfigPath} is not the device plugin's JSON ({e.Message}).", remedy);
            return;
        }

        string? vendor = Id(pf.VendorId);
        string? device = Id(pf.VfDeviceId ?? files.ReadAttribute(SriovDiscovery.PciDevices + "/" + onVfio[0].PciAddress + "/device"));
        var selecting = new SortedSet<string>(StringComparer.Ordinal);
        var unselected = new List<SriovVf>();
        foreach (var vf in onVfio)
        {
            var matches = resources.Where(r => r.Selectors.Any(s => s.Selects(pf, vf, vendor, device))).Select(r => r.Name).ToList();
            if (matches.Count == 0)
            {
                unselected.Add(vf);
            }

            selecting.UnionWith(matches);
        }

        if (unselected.Count == 0)
        {
            checks.Pass(ConsumerChecks.DevicePluginId, target, string.Create(CultureInfo.InvariantCulture,
                $"{ConfigPath} selects the {onVfio.Count} VFs of {target} on vfio-pci (resource {HostText.Join([.. selecting])})."));
            return;
        }

        string indexes = string.Join(", ", unselected.Select(v => v.Index.ToString(CultureInfo.InvariantCulture)));
        checks.Warn(ConsumerChecks.DevicePluginId, target, string.Create(CultureInfo.InvariantCulture,
            $"No resource in {ConfigPath} ({resources.Count} resources) selects {unselected.Count} of the {onVfio.Count} VFs of {target} on vfio-pci " +
            $"(vf {indexes}; vendor {vendor ?? "unknown"}, device {device ?? "unknown"}): the device plugin does not offer them to KubeVirt."),
            remedy);
    }

    private static List<Resource> Resources(string text)
    {
        using var document = JsonDocument.Parse(text);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("resourceList", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("it has no resourceList");
        }

        var resources = new List<Resource>();
        foreach (var entry in list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            string name = entry.TryGetProperty("resourceName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "(unnamed)";
            if (entry.TryGetProperty("resourcePrefix", out var p) && p.ValueKind == JsonValueKind.String)
            {
                name = p.GetString() + "/" + name;
            }

            // The plugin takes a list of selectors; older configurations give one object.
            var selectors = !entry.TryGetProperty("selectors", out var s) ? []
                : s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(Selector.From).ToList()
                : s.ValueKind == JsonValueKind.Object ? [Selector.From(s)]
                : [];
            resources.Add(new Resource(name, selectors));
        }

        return resources;
    }

    // sysfs says 0x8086; the plugin's configuration says 8086.
    private static string? Id(string? value) =>
        value?.Trim() is not { Length: > 0 } id ? null : (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();

    private sealed record Resource(string Name, List<Selector> Selectors);

    private sealed record Selector(List<string>? Vendors, List<string>? Devices, List<string>? Drivers, List<string>? PfNames, List<string>? RootDevices)
    {
        public static Selector From(JsonElement element) =>
            new(Strings(element, "vendors"), Strings(element, "devices"), Strings(element, "drivers"), Strings(element, "pfNames"), Strings(element, "rootDevices"));

        public bool Selects(SriovPf pf, SriovVf vf, string? vendor, string? device) =>
            (Vendors is null || (vendor is not null && Vendors.Any(v => Id(v) == vendor)))
            && (Devices is null || (device is not null && Devices.Any(d => Id(d) == device)))
            && (Drivers is null || Drivers.Any(d => d.Replace('_', '-') == vf.Driver?.Replace('_', '-')))
            && (PfNames is null || PfNames.Any(p => NamesVf(p, pf.Name, vf.Index)))
            && (RootDevices is null || RootDevices.Any(r => NamesVf(r, pf.PciAddress, vf.Index)));

        /// <summary>Whether <c>eno49</c> or <c>eno49#0-3,5</c> names the VF <paramref name="index"/> of <paramref name="owner"/>.</summary>
        private static bool NamesVf(string entry, string? owner, int index)
        {
            int hash = entry.IndexOf('#', StringComparison.Ordinal);
            if (owner is null || (hash < 0 ? entry : entry[..hash]) != owner)
            {
                return false;
            }

            return hash < 0 || entry[(hash + 1)..].Split(',').Any(range => InRange(range, index));
        }

        private static bool InRange(string range, int index)
        {
            var ends = range.Split('-');
            return ends.Length is 1 or 2
                && int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                && int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                && index >= first && index <= last;
        }

        // An absent or empty list matches anything, as in the plugin.
        private static List<string>? Strings(JsonElement element, string name) =>
            element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
                && list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList() is { Count: > 0 } values
                ? values
                : null;
    }
}
