namespace SriovPS;

/// <summary>
/// One SR-IOV interface of a libvirt guest: on a pool (<c>&lt;interface type='network'&gt;</c> naming a
/// hostdev network, which hands the guest a VF when it starts) or on a fixed VF
/// (<c>&lt;interface type='hostdev'&gt;</c> naming the VF's PCI address).
/// </summary>
public sealed class VmSriovInterface
{
    internal VmSriovInterface(string vmName, string uri, string macAddress)
    {
        VmName = vmName;
        Uri = uri;
        MacAddress = macAddress;
    }

    /// <summary>The guest (libvirt domain) the interface belongs to.</summary>
    public string VmName { get; }

    /// <summary>The libvirt URI the guest was read from.</summary>
    public string Uri { get; }

    /// <summary>The interface's MAC address, which identifies it within the guest.</summary>
    public string MacAddress { get; }

    /// <summary>The pool (hostdev network) the interface takes its VF from; null for a fixed VF.</summary>
    public string? Network { get; internal init; }

    /// <summary>The fixed VF's PCI address, for an interface that names its VF; null for a pool interface.</summary>
    public string? SourcePciAddress { get; internal init; }

    /// <summary>Where the VF comes from: the pool's name, or the fixed VF's PCI address.</summary>
    public string? Source => Network ?? SourcePciAddress;

    /// <summary>The VLAN the VF puts the guest's traffic on (the first tag, when several make a trunk).</summary>
    public int? Vlan { get; internal init; }

    /// <summary>Every VLAN tag of the interface; more than one makes a trunk.</summary>
    public IReadOnlyList<int> VlanTags { get; internal init; } = [];

    /// <summary>The 802.1Qbh port profile (<c>&lt;virtualport type='802.1Qbh'&gt;</c>), if any.</summary>
    public string? VirtualPortProfileId { get; internal init; }

    /// <summary>Whether the interface is in the guest's persistent definition (used from its next start).</summary>
    public bool InConfig { get; internal init; }

    /// <summary>Whether the running guest has the interface now.</summary>
    public bool Active { get; internal init; }

    /// <summary>Whether the guest is running.</summary>
    public bool VmRunning { get; internal init; }

    /// <summary>The VF the running guest has for the interface (for a pool interface, the one the pool handed out).</summary>
    public string? VfPciAddress { get; internal init; }

    /// <summary>The PF of that VF on this host, when known.</summary>
    public string? PfName { get; internal init; }

    /// <summary>The index of that VF on its PF, when known.</summary>
    public int? VfIndex { get; internal init; }

    /// <summary>
    /// Whether the guest must be restarted for the interface to take effect: it is in the definition
    /// of a running guest that does not have it (for example after "No more available PCI slots").
    /// </summary>
    public bool RestartRequired { get; internal init; }

    /// <summary>The state of the interface's pool (Ok, Exhausted, Overcommitted, Stale, NotStarted); null for a fixed VF or an unknown pool.</summary>
    public SriovPoolState? PoolState { get; internal init; }

    /// <summary>What the command that made this object warned about it (overcommit, restart needed); empty otherwise.</summary>
    public IReadOnlyList<string> Warnings { get; internal set; } = [];

    public override string ToString() => $"{VmName} {MacAddress}";
}
