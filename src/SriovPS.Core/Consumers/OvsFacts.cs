using System.Text;
using System.Text.Json;
using System.Threading;
using SriovPS.Hosting;
using SriovPS.Native.Files;

namespace SriovPS.Consumers;

/// <summary>
/// Open vSwitch as <c>ovs-vsctl</c> reports it (JSON output, asked with an argument list): whether it
/// answers, its <c>other_config</c>, and which bridge each port is in; or what a snapshot saved of it.
/// </summary>
internal sealed class OvsFacts
{
    /// <summary>Where Debian and Red Hat put ovs-vsctl, and where a build from source does.</summary>
    internal static readonly string[] VsctlPaths = ["/usr/bin/ovs-vsctl", "/usr/sbin/ovs-vsctl", "/bin/ovs-vsctl", "/sbin/ovs-vsctl", "/usr/local/bin/ovs-vsctl"];

    /// <summary>What <see cref="Failure"/> says when ovs-vsctl is not there.</summary>
    internal const string NotInstalled = "ovs-vsctl is not installed (openvswitch-switch)";

    /// <summary>How long ovs-vsctl waits for ovsdb-server, in seconds.</summary>
    private const int TimeoutSeconds = 5;

    private static readonly string[] PidFiles = ["/run/openvswitch/ovs-vswitchd.pid", "/var/run/openvswitch/ovs-vswitchd.pid"];

    /// <summary>Why Open vSwitch could not be read (not installed, its database not running); <c>null</c> when it was.</summary>
    public string? Failure { get; init; }

    /// <summary>Whether ovs-vswitchd, the daemon that programs the datapath, runs (its pid file names a live process).</summary>
    public bool VswitchdRunning { get; init; }

    /// <summary>The Open_vSwitch table's <c>other_config</c> (<c>hw-offload</c>, <c>tc-policy</c>).</summary>
    public IReadOnlyDictionary<string, string> OtherConfig { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Each port's bridge, by port name (a system port is named after its interface).</summary>
    public IReadOnlyDictionary<string, string> BridgeOfPort { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The bridges' names, those without ports too.</summary>
    public IReadOnlyList<string> Bridges { get; init; } = [];

    /// <summary>Whether ovs-vsctl was missing (as against present but unanswered).</summary>
    public bool IsNotInstalled => Failure == NotInstalled;

    /// <summary>Asks the live host's Open vSwitch.</summary>
    public static OvsFacts Read(CancellationToken cancellation) => Read(new HostFileSystem("/"), cancellation);

    /// <summary>Asks Open vSwitch through the ovs-vsctl of <paramref name="files"/>, whose root is <c>/</c>.</summary>
    internal static OvsFacts Read(HostFileSystem files, CancellationToken cancellation)
    {
        if (HostProgram.Find(files, VsctlPaths) is not { } vsctl)
        {
            return new OvsFacts { Failure = NotInstalled };
        }

        bool running = IsVswitchdRunning(files);
        // One transaction: each list prints one JSON table, in order.
        var (exitCode, output, errors) = HostProgram.Capture(vsctl,
        [
            $"--timeout={TimeoutSeconds}", "--format=json", "--data=json",
            "--", "--columns=other_config", "list", "Open_vSwitch",
            "--", "--columns=name,ports", "list", "Bridge",
            "--", "--columns=_uuid,name", "list", "Port",
        ], cancellation);
        if (exitCode != 0)
        {
            string said = string.Join(" ", errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(2));
            return new OvsFacts
            {
                VswitchdRunning = running,
                Failure = said.Length > 0 ? said
                    // --timeout ends it by SIGALRM, silently.
                    : string.Create(CultureInfo.InvariantCulture, $"{vsctl} did not answer within {TimeoutSeconds} seconds (exit code {exitCode}): ovsdb-server does not respond"),
            };
        }

        try
        {
            return Parse(output, running);
        }
        catch (FormatException e)
        {
            return new OvsFacts { VswitchdRunning = running, Failure = $"{vsctl} answered with what is not its JSON tables: {e.Message}" };
        }
    }

    /// <summary>
    /// The facts in ovs-vsctl's <c>--format=json --data=json</c> output of the Open_vSwitch, Bridge and Port
    /// lists: a sequence of tables, each {"data": rows, "headings": column names}, told apart by their headings.
    /// </summary>
    /// <exception cref="FormatException">It is not such a sequence.</exception>
    internal static OvsFacts Parse(string output, bool vswitchdRunning)
    {
        var otherConfig = new Dictionary<string, string>(StringComparer.Ordinal);
        var portNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var bridgePorts = new List<(string Bridge, List<string> PortIds)>();
        try
        {
            foreach (var table in Tables(output))
            {
                var headings = table.GetProperty("headings").EnumerateArray().Select(h => h.GetString() ?? "").ToList();
                int config = headings.IndexOf("other_config");
                int name = headings.IndexOf("name");
                int ports = headings.IndexOf("ports");
                int uuid = headings.IndexOf("_uuid");
                foreach (var row in table.GetProperty("data").EnumerateArray())
                {
                    var cells = row.EnumerateArray().ToList();
                    if (config >= 0)
                    {
                        foreach (var (key, value) in Map(cells[config]))
                        {
                            otherConfig[key] = value;
                        }
                    }
                    else if (name >= 0 && ports >= 0)
                    {
                        bridgePorts.Add((Text(cells[name]), Set(cells[ports]).Select(Uuid).ToList()));
                    }
                    else if (name >= 0 && uuid >= 0)
                    {
                        portNames[Uuid(cells[uuid])] = Text(cells[name]);
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentOutOfRangeException)
        {
            throw new FormatException(e.Message, e);
        }

        var bridgeOfPort = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (bridge, portIds) in bridgePorts)
        {
            foreach (var id in portIds)
            {
                if (portNames.TryGetValue(id, out var port))
                {
                    bridgeOfPort[port] = bridge;
                }
            }
        }

        return new OvsFacts
        {
            VswitchdRunning = vswitchdRunning,
            OtherConfig = otherConfig,
            BridgeOfPort = bridgeOfPort,
            Bridges = bridgePorts.Select(b => b.Bridge).Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>Whether a pid file of ovs-vswitchd names a process that is ovs-vswitchd.</summary>
    internal static bool IsVswitchdRunning(HostFileSystem files)
    {
        foreach (var pidFile in PidFiles)
        {
            if (int.TryParse(files.ReadAttribute(pidFile)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0
                && files.ReadAttribute(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/comm"))?.Trim() == "ovs-vswitchd")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The JSON objects of the output, one after another, whatever separates them.</summary>
    private static List<JsonElement> Tables(string output)
    {
        var tables = new List<JsonElement>();
        var bytes = Encoding.UTF8.GetBytes(output).AsSpan();
        while (true)
        {
            int start = 0;
            while (start < bytes.Length && bytes[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                start++;
            }

            bytes = bytes[start..];
            if (bytes.IsEmpty)
            {
                return tables;
            }

            var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"a table is a JSON object, not {document.RootElement.ValueKind}.");
            }

            tables.Add(document.RootElement.Clone());
            bytes = bytes[(int)reader.BytesConsumed..];
        }
    }

    // OVSDB's JSON (RFC 7047): a set of one is the atom itself, others ["set", [...]]; a map is ["map", [[k, v], ...]].
    private static IEnumerable<JsonElement> Set(JsonElement cell) =>
        cell.ValueKind == JsonValueKind.Array && cell.GetArrayLength() == 2 && cell[0].ValueKind == JsonValueKind.String && cell[0].GetString() == "set"
            ? cell[1].EnumerateArray()
            : [cell];

    private static IEnumerable<(string Key, string Value)> Map(JsonElement cell) =>
        cell.ValueKind == JsonValueKind.Array && cell.GetArrayLength() == 2 && cell[0].GetString() == "map"
            ? cell[1].EnumerateArray().Select(pair => (Text(pair[0]), Text(pair[1])))
            : throw new FormatException($"a map is [\"map\", pairs], not {cell.GetRawText()}.");

    private static string Uuid(JsonElement atom) =>
        atom.ValueKind == JsonValueKind.Array && atom.GetArrayLength() == 2 && atom[0].GetString() is "uuid" or "named-uuid"
            ? atom[1].GetString()!
            : throw new FormatException($"a UUID is [\"uuid\", id], not {atom.GetRawText()}.");

    private static string Text(JsonElement atom) => atom.ValueKind switch
    {
        JsonValueKind.String => atom.GetString()!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => atom.GetRawText(),
        _ => throw new FormatException($"a value is a string, not {atom.GetRawText()}."),
    };
}
