namespace SriovPS;

/// <summary>
/// An SR-IOV virtual function of a PF. Settings the PF holds for the VF (MAC, VLAN, spoof check,
/// trust, rates, link state) come from netlink, and the owning guest from libvirt; a value not read
/// is <c>null</c>, never a guess.
/// </summary>
public sealed class SriovVf
{
    internal SriovVf(string pfPciAddress, string pciAddress)
    {
        PfPciAddress = pfPciAddress;
        PciAddress = pciAddress;
    }

    /// <summary>The PF's interface name (<c>eno49</c>); <c>null</c> when the PF has no interface.</summary>
    public string? PfName { get; internal init; }

    /// <summary>The PF's PCI address.</summary>
    public string PfPciAddress { get; }

    /// <summary>The VF number on its PF, as in <c>ip link set eno49 vf 3</c> and <c>virtfn3</c>.</summary>
    public int Index { get; internal init; }

    /// <summary>The VF's own PCI address.</summary>
    public string PciAddress { get; }

    /// <summary>The VF's network interface in this namespace, when a net driver is bound and it was not moved away.</summary>
    public string? Name { get; internal init; }

    /// <summary>The bound kernel driver (<c>igbvf</c>, <c>vfio-pci</c>), or <c>null</c>.</summary>
    public string? Driver { get; internal init; }

    /// <summary>The VF's IOMMU group; <c>null</c> when the IOMMU is off.</summary>
    public int? IommuGroup { get; internal init; }

    /// <summary>
    /// The group's vfio device node (<c>/dev/vfio/39</c>) that QEMU, DPDK and Kata open, present while
    /// the VF is bound to vfio-pci (or a vfio variant); <c>null</c> otherwise.
    /// </summary>
    public string? VfioDevice { get; internal init; }

    /// <summary>The MAC address the PF assigns to the VF (<c>ip link set … vf N mac</c>).</summary>
    public string? MacAddress { get; internal init; }

    /// <summary>The VLAN the PF tags the VF's traffic with; 0 for none.</summary>
    public int? Vlan { get; internal init; }

    /// <summary>The 802.1p priority of that VLAN.</summary>
    public int? Qos { get; internal init; }

    /// <summary><c>802.1Q</c> or <c>802.1ad</c>: the tag the PF pushes; <c>null</c> when the VF has no VLAN.</summary>
    public string? VlanProtocol { get; internal init; }

    /// <summary>Whether the PF drops frames the VF sends from another source MAC; <c>null</c> when the driver does not say.</summary>
    public bool? SpoofCheck { get; internal init; }

    /// <summary>Whether the VF may change its MAC and enter promiscuous mode; <c>null</c> when the driver does not say.</summary>
    public bool? Trust { get; internal init; }

    /// <summary>The link state the PF imposes on the VF.</summary>
    public VfLinkState? LinkState { get; internal init; }

    /// <summary>Minimum transmit rate in Mbit/s; 0 for none.</summary>
    public int? MinTxRate { get; internal init; }

    /// <summary>Maximum transmit rate in Mbit/s; 0 for no limit.</summary>
    public int? MaxTxRate { get; internal init; }

    /// <summary>The VF's traffic counters; only with <c>Get-SriovVf -IncludeStatistics</c>.</summary>
    public SriovVfStatistics? Statistics { get; internal init; }

    /// <summary>The running libvirt guest that holds the VF (given to it directly, or from a pool); <c>null</c> when none does or libvirt was not asked.</summary>
    public string? Owner { get; internal set; }

    public override string ToString() => $"{PfName ?? PfPciAddress} vf {Index}";
}
