using SriovPS.Discovery;
using SriovPS.VfCount;

namespace SriovPS.Export;

/// <summary>
/// A PF as an export sees it, read from the host when the export runs (never from the objects piped
/// in, which may be stale or come from a remote session): its VFs with their settings, the ids the
/// Kubernetes components select by, and its link type.
/// </summary>
internal sealed class ExportedPf
{
    private readonly IReadOnlySet<int>? _chosen;

    private ExportedPf(SriovPf pf, IReadOnlyList<SriovVf> vfs, IReadOnlySet<int>? chosen)
    {
        Pf = pf;
        Vfs = vfs;
        _chosen = chosen;
    }

    public SriovPf Pf { get; }

    /// <summary>Every VF the PF has now, in index order.</summary>
    public IReadOnlyList<SriovVf> Vfs { get; }

    /// <summary>The VFs to export: those piped in, or all.</summary>
    public IEnumerable<SriovVf> Chosen => _chosen is null ? Vfs : Vfs.Where(vf => _chosen.Contains(vf.Index));

    /// <summary>Whether every VF of the PF is exported.</summary>
    public bool AllChosen => _chosen is null || Vfs.All(vf => _chosen.Contains(vf.Index));

    /// <summary>The PCI vendor id as the Kubernetes components spell it: four lower-case hex digits, <c>8086</c>.</summary>
    public string? VendorId { get; private init; }

    /// <summary>The PF's own device id, <c>10c9</c>: what the operator's nicSelector takes.</summary>
    public string? PfDeviceId { get; private init; }

    /// <summary>The VFs' device id, <c>10ca</c>: what the device plugin's selectors take.</summary>
    public string? VfDeviceId { get; private init; }

    /// <summary><c>ether</c> or <c>infiniband</c>, from the PF interface's ARP hardware type; <c>null</c> when unknown.</summary>
    public string? LinkType { get; private init; }

    /// <summary>
    /// Reads <paramref name="pf"/> again from the host, with <paramref name="chosen"/> VF indexes
    /// (<c>null</c> for all). Indexes the PF no longer has are reported and left out.
    /// </summary>
    public static ExportedPf Read(HostSession session, SriovPf pf, IReadOnlySet<int>? chosen)
    {
        var vfs = session.VfsOf(pf);
        foreach (int index in (chosen ?? new HashSet<int>()).Where(i => !vfs.Exists(vf => vf.Index == i)).Order())
        {
            session.Report.Fail(VfErrors.NotFound(pf.Name ?? pf.PciAddress, pf.NumVfs, index));
        }

        string? vfDevice = pf.VfDeviceId
            ?? (vfs.Count > 0 ? session.Files.ReadAttribute(SriovDiscovery.PciDevices + "/" + vfs[0].PciAddress + "/device") : null);
        return new ExportedPf(pf, vfs, chosen)
        {
            VendorId = ComponentId(pf.VendorId),
            PfDeviceId = ComponentId(pf.DeviceId),
            VfDeviceId = ComponentId(vfDevice),
            LinkType = pf.Name is null ? null : LinkTypeOf(session.Files.ReadAttribute(SriovDiscovery.ClassNet + "/" + pf.Name + "/type")),
        };
    }

    /// <summary>Whether the VF is bound to vfio-pci (or a vfio variant): a pool of its own, passed through whole.</summary>
    public static bool OnVfio(SriovVf vf) => VfHolderScan.IsVfioDriver(vf.Driver);

    // sysfs says 0x8086; the device plugin, the operator and pci.ids say 8086.
    private static string? ComponentId(string? sysfs) =>
        sysfs is null ? null : (sysfs.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? sysfs[2..] : sysfs).ToLowerInvariant();

    // ARPHRD_ETHER and ARPHRD_INFINIBAND (include/uapi/linux/if_arp.h), named as the device plugin's linkTypes name them.
    private static string? LinkTypeOf(string? type) => type switch
    {
        "1" => "ether",
        "32" => "infiniband",
        _ => null,
    };
}
