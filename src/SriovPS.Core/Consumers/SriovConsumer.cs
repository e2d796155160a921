namespace SriovPS;

/// <summary>What the host's VFs are for (<c>Test-SriovHost -For</c>): each consumer needs its own checks.</summary>
public enum SriovConsumer
{
    /// <summary>KVM guests through libvirt: IOMMU, vfio, PFs, libvirt, AppArmor, pools and guests.</summary>
    Libvirt = 0,

    /// <summary>KubeVirt virtual machines: VFs on vfio-pci, advertised by the SR-IOV device plugin.</summary>
    KubeVirt,

    /// <summary>Kata Containers: VFs on vfio-pci, each in its own IOMMU group.</summary>
    Kata,

    /// <summary>Docker's SR-IOV network plugin: VFs on their kernel driver, each with a MAC set by the PF.</summary>
    Docker,

    /// <summary>Open vSwitch hardware offload: switchdev, TC offload, representors in an OVS bridge.</summary>
    OvsOffload,
}
