using SriovPS.Native.Files;

namespace SriovPS.Discovery;

/// <summary>PCI-to-PCI bridges, which vfio lets share an IOMMU group with the devices it gives away.</summary>
internal static class PciBridges
{
    // include/linux/pci_ids.h: PCI_CLASS_BRIDGE_PCI (class 0x0604).
    private const string BridgeClassPrefix = "0x0604";

    /// <summary>Whether the PCI function at <paramref name="address"/> is a PCI-to-PCI bridge.</summary>
    public static bool IsBridge(HostFileSystem files, string address) =>
        files.ReadAttribute(SriovDiscovery.PciDevices + "/" + address + "/class")?.StartsWith(BridgeClassPrefix, StringComparison.Ordinal) == true;
}
