namespace SriovPS;

/// <summary>
/// A libvirt hostdev network: a pool of VFs that libvirt hands to guests whose interfaces name it
/// (<c>&lt;interface type='network'&gt;&lt;source network='eno49-sr-iov'/&gt;</c>), one VF per interface.
/// </summary>
public sealed class LibvirtSriovNetwork
{
    internal LibvirtSriovNetwork(string name, string uri)
    {
        Name = name;
        Uri = uri;
    }

    /// <summary>The network's name, as <c>virsh net-list</c> shows it.</summary>
    public string Name { get; }

    /// <summary>The libvirt URI the network was read from.</summary>
    public string Uri { get; }

    /// <summary>The PFs whose VFs make up the pool.</summary>
    public IReadOnlyList<string> PfNames { get; internal init; } = [];

    /// <summary>Whether the pool lists its VFs by address (a pool over several PFs) rather than naming one PF.</summary>
    public bool FixedVfList { get; internal init; }

    /// <summary>Whether the network is running; guests can use it only then.</summary>
    public bool Active { get; internal init; }

    /// <summary>Whether libvirtd starts it when it starts.</summary>
    public bool Autostart { get; internal init; }

    /// <summary>Whether it has a persistent definition (a transient network vanishes when stopped).</summary>
    public bool Persistent { get; internal init; }

    /// <summary>How many VFs the pool has: the PFs' current VFs (those listed, for a fixed list).</summary>
    public int? PoolSize { get; internal init; }

    /// <summary>VFs handed to running guests now.</summary>
    public int InUse { get; internal init; }

    /// <summary>VFs left for guests that start next: PoolSize - InUse.</summary>
    public int? Free { get; internal init; }

    /// <summary>The interfaces on this pool across every defined guest, running or not: what starting them all needs.</summary>
    public int Demand { get; internal init; }

    /// <summary>Ok, Exhausted, Overcommitted, Stale or NotStarted (the reason is in <see cref="StateReason"/>).</summary>
    public SriovPoolState State { get; internal init; }

    /// <summary>Why the pool is not Ok, in a sentence; null when it is.</summary>
    public string? StateReason { get; internal init; }

    /// <summary>The guests whose definition (or running state) uses the pool.</summary>
    public IReadOnlyList<string> Consumers { get; internal init; } = [];

    /// <summary>The running guests among <see cref="Consumers"/>.</summary>
    public IReadOnlyList<string> RunningConsumers { get; internal init; } = [];

    /// <summary>The VFs (PCI addresses) of the pool: the running pool's list, else the PFs' current VFs or the fixed list.</summary>
    public IReadOnlyList<string> VfAddresses { get; internal init; } = [];

    public override string ToString() => Name;
}
