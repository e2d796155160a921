namespace SriovPS;

/// <summary>An SR-IOV virtual function of a PF.</summary>
public sealed class SriovVf
{
    internal SriovVf(string? pfName, string pfPciAddress, int index, string pciAddress, string? driver)
    {
        PfName = pfName;
        PfPciAddress = pfPciAddress;
        Index = index;
        PciAddress = pciAddress;
        Driver = driver;
    }

    /// <summary>The PF's interface name (<c>eno49</c>); <c>null</c> when the PF has no netdev.</summary>
    public string? PfName { get; }

    /// <summary>The PF's PCI address.</summary>
    public string PfPciAddress { get; }

    /// <summary>The VF number on its PF, as in <c>ip link set eno49 vf 3</c> and <c>virtfn3</c>.</summary>
    public int Index { get; }

    /// <summary>The VF's own PCI address.</summary>
    public string PciAddress { get; }

    /// <summary>The bound kernel driver (<c>igbvf</c>, <c>vfio-pci</c>), or <c>null</c>.</summary>
    public string? Driver { get; }

    public override string ToString() => $"{PfName ?? PfPciAddress} vf {Index}";
}
