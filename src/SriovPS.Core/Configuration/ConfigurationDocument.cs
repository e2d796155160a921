namespace SriovPS.Configuration;

/// <summary>
/// A host's SR-IOV setup as the user wrote it (<c>Set-SriovConfiguration</c>): only what is named is
/// managed. Each part keeps the JSON path it came from, which every error about it names.
/// </summary>
internal sealed class ConfigurationDocument
{
    public List<PfEntry> Pfs { get; } = [];

    public List<PoolEntry> Pools { get; } = [];

    public BootEntry? Boot { get; set; }
}

/// <summary>One entry of <c>pfs</c>: which PFs it is for, and what they and their VFs should be.</summary>
internal sealed class PfEntry(string path)
{
    /// <summary><c>pfs[1]</c>.</summary>
    public string Path { get; } = path;

    /// <summary>A label pools name the entry by, whatever the PFs are called on a host.</summary>
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? PciAddress { get; set; }

    public string? Driver { get; set; }

    /// <summary>The PF's vendor and device ids, <c>8086:1521</c>, lower case.</summary>
    public string? DeviceId { get; set; }

    public int? NumVfs { get; set; }

    public bool? DriversAutoprobe { get; set; }

    public EswitchMode? EswitchMode { get; set; }

    /// <summary>true: up; false: down.</summary>
    public bool? LinkUp { get; set; }

    public int? Mtu { get; set; }

    /// <summary>Whether the count, the VF drivers and the link are also written where the host keeps them across boots.</summary>
    public bool Persist { get; set; }

    public List<VfEntry> Vfs { get; } = [];

    public string At(string key) => $"{Path}.{key}";

    /// <summary>Whether <paramref name="pf"/> is one this entry is for: every criterion given must hold.</summary>
    public bool Matches(SriovPf pf) =>
        (Name is null || string.Equals(pf.Name, Name, StringComparison.Ordinal))
        && (PciAddress is null || string.Equals(pf.PciAddress, PciAddress, StringComparison.OrdinalIgnoreCase))
        && (Driver is null || string.Equals(pf.Driver, Driver, StringComparison.Ordinal))
        && (DeviceId is null || string.Equals(IdsOf(pf), DeviceId, StringComparison.OrdinalIgnoreCase));

    /// <summary>What the entry matches, in the document's words: <c>driver igb, deviceId 8086:1521</c>.</summary>
    public string Criteria()
    {
        var words = new List<string>(4);
        if (Name is not null)
        {
            words.Add($"name {Name}");
        }

        if (PciAddress is not null)
        {
            words.Add($"pciAddress {PciAddress}");
        }

        if (Driver is not null)
        {
            words.Add($"driver {Driver}");
        }

        if (DeviceId is not null)
        {
            words.Add($"deviceId {DeviceId}");
        }

        return string.Join(", ", words);
    }

    /// <summary><c>8086:1521</c> from sysfs's <c>0x8086</c> and <c>0x1521</c>; null when either is unknown.</summary>
    public static string? IdsOf(SriovPf pf) =>
        pf.VendorId is { } vendor && pf.DeviceId is { } device ? $"{Hex(vendor)}:{Hex(device)}" : null;

    private static string Hex(string id) => (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();
}

/// <summary>One entry of a PF's <c>vfs</c>: settings for the VFs of one index or range.</summary>
internal sealed class VfEntry(string path)
{
    /// <summary><c>pfs[1].vfs[0]</c>.</summary>
    public string Path { get; } = path;

    /// <summary>The indexes named, in order.</summary>
    public List<int> Indexes { get; } = [];

    /// <summary>A driver name, or <c>default</c> for the driver the VF matches.</summary>
    public string? Driver { get; set; }

    /// <summary>Whether <c>mac</c> is <c>auto</c>: each VF's MAC follows <see cref="VfSettings.VfMacRule"/>.</summary>
    public bool AutoMac { get; set; }

    /// <summary>A MAC given in full (the entry then names one VF).</summary>
    public string? MacAddress { get; set; }

    public int? Vlan { get; set; }

    public int? Qos { get; set; }

    /// <summary><c>802.1Q</c> or <c>802.1ad</c>.</summary>
    public string? VlanProtocol { get; set; }

    public bool? SpoofCheck { get; set; }

    public bool? Trust { get; set; }

    public VfLinkState? LinkState { get; set; }

    public int? MinTxRate { get; set; }

    public int? MaxTxRate { get; set; }

    public bool SetsMac => AutoMac || MacAddress is not null;

    /// <summary>Whether the entry names a setting the kernel keeps for the VF (all but its driver).</summary>
    public bool HasSettings =>
        SetsMac || Vlan is not null || Qos is not null || VlanProtocol is not null || SpoofCheck is not null
        || Trust is not null || LinkState is not null || MinTxRate is not null || MaxTxRate is not null;

    public string At(string key) => $"{Path}.{key}";
}

/// <summary>One entry of <c>pools</c>: a libvirt hostdev network.</summary>
internal sealed class PoolEntry(string path, string name)
{
    public string Path { get; } = path;

    public string Name { get; } = name;

    /// <summary>PF entries' ids, or interface names.</summary>
    public List<string> Pfs { get; } = [];

    public bool? Autostart { get; set; }

    public bool? Started { get; set; }

    public string At(string key) => $"{Path}.{key}";
}

/// <summary><c>boot</c>: what the host is to have from its next boot on.</summary>
internal sealed class BootEntry
{
    /// <summary>The IOMMU words on the kernel command line (<c>intel_iommu=on iommu=pt</c>).</summary>
    public bool Iommu { get; set; }

    /// <summary>vfio-pci loaded at boot (modules-load.d).</summary>
    public bool VfioModules { get; set; }

    /// <summary>AppArmor's libvirt-qemu rules for the vfio groups of the pools' VFs.</summary>
    public bool AppArmor { get; set; }
}
