using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SriovPS.Export;

/// <summary>
/// The SR-IOV network device plugin's <c>config.json</c>: one <c>resourceList</c> entry per resource,
/// each with one selector that names exactly its VFs — the VFs' own vendor, device id and drivers,
/// and every index of a PF in one <c>pfNames</c> entry (the plugin reads only the first entry per PF).
/// </summary>
internal static class DevicePluginConfig
{
    public static string Write(IReadOnlyList<ExportResource> resources, string prefix)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("resourceList");
            foreach (var resource in resources)
            {
                json.WriteStartObject();
                json.WriteString("resourceName", resource.Name);
                json.WriteString("resourcePrefix", prefix);
                // Case matters: the plugin refuses "netdevice", the operator's spelling.
                json.WriteString("deviceType", "netDevice");
                json.WriteStartArray("selectors");
                WriteSelector(json, resource);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The resource's name as pods request it: <c>intel.com/sriov_eno49_netdevice</c>.</summary>
    public static string ExtendedResourceName(string prefix, ExportResource resource) => prefix + "/" + resource.Name;

    private static void WriteSelector(Utf8JsonWriter json, ExportResource resource)
    {
        json.WriteStartObject();
        WriteList(json, "vendors", resource.Members.Select(m => m.Pf.VendorId));
        WriteList(json, "devices", resource.Members.Select(m => m.Pf.VfDeviceId));
        WriteList(json, "drivers", resource.Vfs.Select(vf => vf.Driver));

        // By interface name when every PF has one; otherwise every PF by PCI address, since the two
        // lists would have to match together.
        bool byName = resource.Members.All(m => m.Pf.Pf.Name is not null);
        WriteList(
            json,
            byName ? "pfNames" : "rootDevices",
            resource.Members.GroupBy(m => m.Pf).Select(g => $"{(byName ? g.Key.Pf.Name : g.Key.Pf.PciAddress)}#{VfIndexRanges.List(g.SelectMany(m => m.Indexes))}"));

        // A vfio-pci VF has no interface; the plugin would take the PF's link type, which adds nothing.
        if (resource.Kind == VfDriverKind.NetDevice && resource.Members.All(m => m.Pf.LinkType is not null))
        {
            WriteList(json, "linkTypes", resource.Members.Select(m => m.Pf.LinkType));
        }

        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IEnumerable<string?> values)
    {
        var known = values.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (known.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in known)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
