using System.Threading;

namespace SriovPS.Consumers;

/// <summary>
/// Open vSwitch as <c>ovs-vsctl</c> reports it (JSON output, asked with an argument list): whether it
/// answers, its <c>other_config</c>, and which bridge each port is in; or what a snapshot saved of it.
/// </summary>
internal sealed class OvsFacts
{
    /// <summary>Why Open vSwitch could not be read (not installed, its database not running); <c>null</c> when it was.</summary>
    public string? Failure { get; init; }

    /// <summary>Whether ovs-vswitchd, the daemon that programs the datapath, runs (its pid file names a live process).</summary>
    public bool VswitchdRunning { get; init; }

    /// <summary>The Open_vSwitch table's <c>other_config</c> (<c>hw-offload</c>, <c>tc-policy</c>).</summary>
    public IReadOnlyDictionary<string, string> OtherConfig { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Each port's bridge, by port name (a system port is named after its interface).</summary>
    public IReadOnlyDictionary<string, string> BridgeOfPort { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Asks the live host's Open vSwitch.</summary>
    public static OvsFacts Read(CancellationToken cancellation) => new() { Failure = "not read" };
}
