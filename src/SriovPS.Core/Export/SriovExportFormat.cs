namespace SriovPS.Export;

/// <summary>What <c>Export-SriovConfig</c> writes the host's VFs as.</summary>
public enum SriovExportFormat
{
    /// <summary>The SR-IOV network device plugin's <c>config.json</c> (<c>resourceList</c>).</summary>
    DevicePlugin,

    /// <summary>Multus NetworkAttachmentDefinitions whose sriov-cni configuration carries the VFs' settings.</summary>
    NetworkAttachmentDefinition,

    /// <summary>sriov-network-operator SriovNetworkNodePolicy objects: VF count, driver kind and VF ranges per PF.</summary>
    SriovNetworkNodePolicy,

    /// <summary>sriov-network-operator SriovNetwork objects: the VF settings of each resource.</summary>
    SriovNetwork,

    /// <summary>The KubeVirt VirtualMachineInstance <c>interfaces</c> and <c>networks</c> for vfio-pci resources.</summary>
    KubeVirtInterface,

    /// <summary>nmstate desired state: each PF's VF count and every VF's settings.</summary>
    Nmstate,

    /// <summary>The libvirt hostdev network New-LibvirtSriovNetwork would define.</summary>
    LibvirtNetwork,
}

/// <summary>How <c>Export-SriovConfig</c> gathers VFs into resources (pools). VFs on vfio-pci never share a resource with VFs on a kernel network driver.</summary>
public enum SriovExportGrouping
{
    /// <summary>One resource per PF and driver kind: <c>sriov_eno49_netdevice</c>, <c>sriov_eno49_vfio</c>.</summary>
    Pf,

    /// <summary>One resource per driver kind over every PF exported: <c>sriov_netdevice</c>, <c>sriov_vfio</c>.</summary>
    Host,

    /// <summary>One resource per VF (<c>sriov_eno49_vf3</c>), so each keeps its own MAC and VLAN.</summary>
    Vf,
}
