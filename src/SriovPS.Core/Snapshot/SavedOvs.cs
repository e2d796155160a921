using System.IO;
using System.Text.Json;
using SriovPS.Consumers;

namespace SriovPS.Snapshot;

/// <summary>
/// Open vSwitch as a snapshot keeps it (<c>ovs.json</c>): whether it answered, whether ovs-vswitchd ran,
/// the offload settings of its <c>other_config</c>, and its bridges with their ports' names. Nothing else
/// of its database is kept: other_config may hold anything a deployment put there.
/// </summary>
internal static class SavedOvs
{
    public const string FileName = "ovs.json";

    /// <summary>The other_config keys kept: those the offload checks read, and the datapath's tuning next to them.</summary>
    internal static readonly string[] KeptKeys = ["hw-offload", "tc-policy", "max-idle"];

    public static void Write(string path, OvsFacts facts)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("failure", facts.Failure);
        json.WriteBoolean("vswitchdRunning", facts.VswitchdRunning);
        json.WriteStartObject("otherConfig");
        foreach (var key in KeptKeys)
        {
            if (facts.OtherConfig.TryGetValue(key, out var value))
            {
                json.WriteString(key, value);
            }
        }

        json.WriteEndObject();
        json.WriteStartObject("bridges");
        foreach (var bridge in facts.Bridges)
        {
            json.WriteStartArray(bridge);
            foreach (var port in facts.BridgeOfPort.Where(p => p.Value == bridge).Select(p => p.Key).Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(port);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <exception cref="FormatException">The file is not a snapshot's Open vSwitch.</exception>
    public static OvsFacts Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var otherConfig = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in root.GetProperty("otherConfig").EnumerateObject())
            {
                otherConfig[entry.Name] = entry.Value.GetString() ?? "";
            }

            var bridgeOfPort = new Dictionary<string, string>(StringComparer.Ordinal);
            var bridges = new List<string>();
            foreach (var bridge in root.GetProperty("bridges").EnumerateObject())
            {
                bridges.Add(bridge.Name);
                foreach (var port in bridge.Value.EnumerateArray())
                {
                    bridgeOfPort[port.GetString()!] = bridge.Name;
                }
            }

            return new OvsFacts
            {
                Failure = root.TryGetProperty("failure", out var failure) ? failure.GetString() : null,
                VswitchdRunning = root.GetProperty("vswitchdRunning").GetBoolean(),
                OtherConfig = otherConfig,
                BridgeOfPort = bridgeOfPort,
                Bridges = bridges,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{path} is not a snapshot's Open vSwitch: {e.Message}", e);
        }
    }
}
