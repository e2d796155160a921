namespace SriovPS;

/// <summary>
/// An SR-IOV physical function: a network PCI function that can create virtual functions.
/// Its properties are named so they bind by property name to the parameters of the next command
/// (<c>Get-SriovPf eno49 | Get-SriovVf</c>).
/// </summary>
public sealed class SriovPf
{
    internal SriovPf(string? name, string pciAddress, string? driver, int totalVfs, int numVfs)
    {
        Name = name;
        PciAddress = pciAddress;
        Driver = driver;
        TotalVfs = totalVfs;
        NumVfs = numVfs;
    }

    /// <summary>The network interface in this namespace (<c>eno49</c>); <c>null</c> when no net driver is bound.</summary>
    public string? Name { get; }

    /// <summary>The PCI address, <c>0000:04:00.0</c>.</summary>
    public string PciAddress { get; }

    /// <summary>The bound kernel driver (<c>igb</c>), or <c>null</c>.</summary>
    public string? Driver { get; }

    /// <summary>How many VFs the device can create (<c>sriov_totalvfs</c>).</summary>
    public int TotalVfs { get; }

    /// <summary>How many VFs exist now (<c>sriov_numvfs</c>).</summary>
    public int NumVfs { get; }

    public override string ToString() => Name ?? PciAddress;
}
