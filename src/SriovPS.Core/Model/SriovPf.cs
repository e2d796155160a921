namespace SriovPS;

/// <summary>
/// An SR-IOV physical function: a network PCI function that can create virtual functions (or, with
/// <c>Get-SriovPf -IncludeNotCapable</c>, one that cannot). It flows to the next command
/// (<c>Get-SriovPf eno49 | Get-SriovVf</c>); its property names match the parameters of commands that
/// take PFs by name. A value the host does not report is <c>null</c>, never a guess.
/// </summary>
public sealed class SriovPf
{
    internal SriovPf(string pciAddress) => PciAddress = pciAddress;

    /// <summary>The network interface in this namespace (<c>eno49</c>); <c>null</c> when no net driver is bound.</summary>
    public string? Name { get; internal init; }

    /// <summary>The PCI address, <c>0000:04:00.0</c>.</summary>
    public string PciAddress { get; }

    /// <summary>The bound kernel driver (<c>igb</c>), or <c>null</c>.</summary>
    public string? Driver { get; internal init; }

    /// <summary>The PCI vendor id as sysfs gives it, <c>0x8086</c>.</summary>
    public string? VendorId { get; internal init; }

    /// <summary>The PCI device id, <c>0x1521</c>.</summary>
    public string? DeviceId { get; internal init; }

    /// <summary>
    /// The PCI device id its VFs have (<c>sriov_vf_device</c>, <c>0x10ca</c> for an 82576's VFs), which
    /// differs from the PF's own; <c>null</c> for a PF without SR-IOV or a kernel that does not say.
    /// </summary>
    public string? VfDeviceId { get; internal init; }

    /// <summary>The vendor's name from pci.ids (<c>Intel Corporation</c>), or <c>null</c> without pci.ids.</summary>
    public string? VendorName { get; internal init; }

    /// <summary>The device's name from pci.ids (<c>I350 Gigabit Network Connection</c>).</summary>
    public string? DeviceName { get; internal init; }

    /// <summary>How many VFs the device can create (<c>sriov_totalvfs</c>); 0 when it cannot.</summary>
    public int TotalVfs { get; internal init; }

    /// <summary>How many VFs exist now (<c>sriov_numvfs</c>).</summary>
    public int NumVfs { get; internal init; }

    /// <summary>The interface's operational state; <c>null</c> without an interface.</summary>
    public LinkState? LinkState { get; internal init; }

    /// <summary>The interface's MAC address, <c>9c:dc:71:5e:0f:a0</c>.</summary>
    public string? MacAddress { get; internal init; }

    /// <summary>The address the NIC came with, as the kernel reports it (not a bond's); null off the live host or on kernels before 5.6.</summary>
    internal string? PermanentMacAddress { get; init; }

    /// <summary>
    /// The administrative state (IFF_UP), which <c>ip link set up</c> sets: a PF without a carrier is still up.
    /// Null without an interface or readable flags.
    /// </summary>
    internal bool? AdministrativelyUp { get; init; }

    public int? Mtu { get; internal init; }

    /// <summary>The NUMA node the device is attached to; <c>null</c> on a host without NUMA (sysfs says -1).</summary>
    public int? NumaNode { get; internal init; }

    /// <summary>The PF's IOMMU group; <c>null</c> when the IOMMU is off.</summary>
    public int? IommuGroup { get; internal init; }

    /// <summary>
    /// Legacy or Switchdev, as <c>devlink dev eswitch show pci/ADDRESS</c> reports it; <c>null</c> when
    /// the driver has no eswitch (igb registers no devlink instance), on a copied host tree, or when
    /// devlink could not be asked.
    /// </summary>
    public EswitchMode? EswitchMode { get; internal init; }

    /// <summary>
    /// Whether TC flower rules are offloaded to the NIC (<c>hw-tc-offload</c> in <c>ethtool -k</c>), as OVS
    /// hardware offload needs; <c>null</c> when not known: no interface, a copied host tree, a snapshot that
    /// did not save it, or a kernel without ethtool netlink.
    /// </summary>
    public bool? HwTcOffload { get; internal init; }

    /// <summary>Whether new VFs are bound to their driver automatically (<c>sriov_drivers_autoprobe</c>).</summary>
    public bool? DriversAutoprobe { get; internal init; }

    /// <summary>Whether the PF can give VFs to guests now, or why not.</summary>
    public SriovSupport SriovSupport { get; internal init; }

    public override string ToString() => Name ?? PciAddress;
}
