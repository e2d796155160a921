namespace SriovPS;

/// <summary>
/// Whether a PF can give VFs to guests now and, when not, the first reason why, judged from the live
/// state of the host (as Windows' Get-NetAdapterSriov does), most fundamental first.
/// </summary>
public enum SriovSupport
{
    /// <summary>VFs can be created and passed to guests.</summary>
    Supported = 0,

    /// <summary>The device has no SR-IOV capability (no sriov_totalvfs), or it allows no VFs.</summary>
    NotCapable,

    /// <summary>No driver is bound to the PF, so VFs cannot be created (sriov_numvfs needs the PF driver).</summary>
    NoDriver,

    /// <summary>The PF is in no IOMMU group: the IOMMU is off, so no VF can be assigned to a guest.</summary>
    IommuDisabled,

    /// <summary>The PF's interface is administratively down; libvirt refuses its VFs ("PF is not online").</summary>
    PfLinkDown,
}
