using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace SriovPS.Tests.Support;

/// <summary>A PCI function as the SR-IOV network device plugin sees it when it matches selectors.</summary>
internal sealed record PluginDevice(string PciAddress, string Vendor, string Device, string? Driver, string? PfName, string? PfAddress, int VfIndex, string? LinkType);

/// <summary>
/// The device plugin's selection, written from its documented rules to check an exported config
/// against: within one selector every field present must match (AND), within a field any value may
/// (OR), the selectors of a resource are tried in turn (OR), resources in list order, and a device
/// goes to the first resource that selects it. pfNames/rootDevices take <c>NAME#0,2-4</c>, and only the
/// first entry naming a PF counts. A key the plugin does not know fails the test here (the plugin
/// would silently ignore it and widen the pool).
/// </summary>
internal static class DevicePluginSelectors
{
    private static readonly HashSet<string> NetDeviceKeys =
    [
        "vendors", "devices", "drivers", "pciAddresses", "acpiIndexes", "pfNames", "rootDevices", "linkTypes",
        "ddpProfiles", "pKeys", "isRdma", "needVhostNet", "vdpaType",
    ];

    private static readonly HashSet<string> ResourceKeys = ["resourceName", "resourcePrefix", "deviceType", "excludeTopology", "selectors", "additionalInfo"];

    /// <summary>Resource name → the PCI addresses of the devices it gets.</summary>
    public static Dictionary<string, List<string>> Evaluate(string configJson, IReadOnlyList<PluginDevice> devices)
    {
        using var config = JsonDocument.Parse(configJson);
        var allocated = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var resource in config.RootElement.GetProperty("resourceList").EnumerateArray())
        {
            foreach (var property in resource.EnumerateObject())
            {
                Assert.Contains(property.Name, ResourceKeys);
            }

            string name = resource.GetProperty("resourceName").GetString()!;
            Assert.Equal("netDevice", resource.GetProperty("deviceType").GetString());
            var selectors = resource.GetProperty("selectors");
            var list = selectors.ValueKind == JsonValueKind.Array ? selectors.EnumerateArray().ToList() : [selectors];
            var taken = new List<string>();
            foreach (var device in devices)
            {
                if (!allocated.Contains(device.PciAddress) && list.Any(s => Selects(s, device)))
                {
                    allocated.Add(device.PciAddress);
                    taken.Add(device.PciAddress);
                }
            }

            Assert.False(result.ContainsKey(name), $"resource {name} appears twice");
            result[name] = taken;
        }

        return result;
    }

    private static bool Selects(JsonElement selector, PluginDevice device)
    {
        foreach (var field in selector.EnumerateObject())
        {
            Assert.Contains(field.Name, NetDeviceKeys);
            var values = field.Value.EnumerateArray().Select(v => v.GetString()!).ToList();
            bool match = field.Name switch
            {
                "vendors" => values.Contains(device.Vendor),
                "devices" => values.Contains(device.Device),
                "drivers" => device.Driver is not null && values.Contains(device.Driver),
                "pciAddresses" => values.Contains(device.PciAddress),
                "linkTypes" => device.LinkType is not null && values.Contains(device.LinkType),
                "pfNames" => InList(values, device.PfName, device.VfIndex),
                "rootDevices" => InList(values, device.PfAddress, device.VfIndex),
                _ => throw new InvalidOperationException($"selector field {field.Name} is not evaluated here"),
            };
            if (!match)
            {
                return false;
            }
        }

        return true;
    }

    // Only the first entry whose name part is the PF's counts, as in the plugin.
    private static bool InList(List<string> entries, string? pf, int vfIndex)
    {
        if (pf is null)
        {
            return false;
        }

        foreach (var entry in entries)
        {
            var parts = entry.Split('#');
            Assert.True(parts.Length <= 2, $"'{entry}' has more than one '#'");
            if (!string.Equals(parts[0], pf, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return parts.Length == 1 || Indexes(parts[1]).Contains(vfIndex);
        }

        return false;
    }

    private static HashSet<int> Indexes(string list)
    {
        var indexes = new HashSet<int>();
        foreach (var item in list.Split(','))
        {
            var bounds = item.Split('-');
            Assert.InRange(bounds.Length, 1, 2);
            int first = int.Parse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture);
            int last = int.Parse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.True(first <= last, $"range {item} runs backwards");
            for (int i = first; i <= last; i++)
            {
                indexes.Add(i);
            }
        }

        return indexes;
    }
}
