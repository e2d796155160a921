namespace SriovPS.Export;

/// <summary>Which driver a pool's VFs are on: a kernel network driver (an interface each), or vfio-pci (passed through whole).</summary>
internal enum VfDriverKind
{
    NetDevice,
    Vfio,
}

/// <summary>Some VFs of one PF that belong to a resource.</summary>
internal sealed record ResourceMember(ExportedPf Pf, IReadOnlyList<SriovVf> Vfs)
{
    /// <summary>The VF indexes in ascending order.</summary>
    public IReadOnlyList<int> Indexes => Vfs.Select(vf => vf.Index).Order().ToList();
}

/// <summary>
/// A pool of VFs as Kubernetes sees it: a device-plugin resource, and the NetworkAttachmentDefinition,
/// operator policy and network that name it. Its VFs are all on vfio-pci or all on a kernel driver.
/// </summary>
internal sealed class ExportResource(string name, VfDriverKind kind, IReadOnlyList<ResourceMember> members)
{
    public string Name { get; } = name;

    public VfDriverKind Kind { get; } = kind;

    public IReadOnlyList<ResourceMember> Members { get; } = members;

    public IEnumerable<SriovVf> Vfs => Members.SelectMany(m => m.Vfs);

    /// <summary>The Kubernetes object name of the resource's network: <c>sriov-eno49-netdevice</c>.</summary>
    public string NetworkName => ExportNames.ObjectName(Name);

    /// <summary>What the VFs are, for messages: <c>sriov_eno49_netdevice (eno49 VF 1-6)</c>.</summary>
    public string Label => $"{Name} ({string.Join("; ", Members.Select(m => $"{m.Pf.Pf} VF {VfIndexRanges.List(m.Indexes)}"))})";
}

/// <summary>Gathers the exported VFs into resources, and names them.</summary>
internal static class ExportResources
{
    private const string DefaultBase = "sriov";

    /// <summary>
    /// The resources of <paramref name="pfs"/>' chosen VFs, grouped as <paramref name="grouping"/> says
    /// and never mixing driver kinds. A VF the device plugin would never offer (no driver bound, or its
    /// interface holds the default route) is left out and reported.
    /// </summary>
    /// <param name="resourceName">The name of the one resource; <c>null</c> for names made from <c>sriov</c>, the PF and the driver kind.</param>
    /// <exception cref="SriovException">
    /// A name breaks the rule; two resources would have the same name; <paramref name="resourceName"/>
    /// is given and the VFs make several resources, which one name cannot tell apart.
    /// </exception>
    public static List<ExportResource> Group(
        IReadOnlyList<ExportedPf> pfs, SriovExportGrouping grouping, string? resourceName, IReadOnlySet<string> defaultRouteInterfaces, IHostReport report)
    {
        var groups = new List<(string[] Parts, VfDriverKind Kind, List<ResourceMember> Members)>();
        var groupByKey = new Dictionary<(string, VfDriverKind), int>();
        foreach (var pf in pfs)
        {
            var usable = new List<SriovVf>();
            foreach (var vf in pf.Chosen)
            {
                if (vf.Driver is null)
                {
                    report.Warn($"{pf.Pf} VF {vf.Index} ({vf.PciAddress}) has no driver bound, so no Kubernetes component can use it; it is left out. Bind it: Set-SriovVfDriver {pf.Pf} -Index {vf.Index} -Driver Default (or vfio-pci).");
                }
                else if (VfCount.VfHolderScan.IsUserSpaceDriver(vf.Driver))
                {
                    report.Warn($"{pf.Pf} VF {vf.Index} ({vf.PciAddress}) is on {vf.Driver}, which is neither a network driver nor vfio-pci, so no pool here fits it; it is left out.");
                }
                else if (vf.Name is not null && defaultRouteInterfaces.Contains(vf.Name))
                {
                    report.Warn($"{pf.Pf} VF {vf.Index} ({vf.Name}) holds this host's default route, and the device plugin never offers such an interface; it is left out.");
                }
                else
                {
                    usable.Add(vf);
                }
            }

            foreach (var kindGroup in usable.GroupBy(vf => ExportedPf.OnVfio(vf) ? VfDriverKind.Vfio : VfDriverKind.NetDevice).OrderBy(g => g.Key))
            {
                foreach (var vf in grouping == SriovExportGrouping.Vf ? kindGroup.Select(v => new[] { v }) : [kindGroup.ToArray()])
                {
                    string[] parts = grouping switch
                    {
                        SriovExportGrouping.Host => [KindPart(kindGroup.Key)],
                        SriovExportGrouping.Vf => [ExportNames.PfPart(pf.Pf), "vf" + vf[0].Index.ToString(CultureInfo.InvariantCulture)],
                        _ => [ExportNames.PfPart(pf.Pf), KindPart(kindGroup.Key)],
                    };
                    var key = (string.Join('/', parts), kindGroup.Key);
                    if (groupByKey.TryGetValue(key, out int existing))
                    {
                        groups[existing].Members.Add(new ResourceMember(pf, vf));
                    }
                    else
                    {
                        groupByKey[key] = groups.Count;
                        groups.Add((parts, kindGroup.Key, [new ResourceMember(pf, vf)]));
                    }
                }
            }
        }

        if (resourceName is not null && groups.Count > 1)
        {
            // Never a name that changes meaning with the VFs: a NetworkAttachmentDefinition refers to it.
            throw ExportNames.Invalid(
                "-ResourceName",
                resourceName,
                $"it names one resource, and these VFs make {groups.Count} ({string.Join(", ", groups.Select(g => string.Join('_', [DefaultBase, .. g.Parts])))}), {WhySeveral(groups.Select(g => g.Kind), grouping)}",
                "Export the VFs of one resource at a time (Get-SriovVf eno49 -Index 1,2 | Export-SriovConfig ...), or leave -ResourceName out.");
        }

        var resources = new List<ExportResource>(groups.Count);
        foreach (var (parts, kind, members) in grouping == SriovExportGrouping.Host ? groups.OrderBy(g => g.Kind).ToList() : groups)
        {
            string name = resourceName ?? string.Join('_', [DefaultBase, .. parts]);
            ExportNames.CheckResourceName(name, resourceName is null ? $"made from {string.Join(" and ", members.Select(m => m.Pf.Pf.ToString()).Distinct())}" : "-ResourceName");
            if (resources.Find(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) is { } twin)
            {
                throw new SriovException(
                    ErrorCatalog.InvalidResourceName,
                    $"Two resources would both be named '{name}': {twin.Label} and the VFs of {string.Join(", ", members.Select(m => m.Pf.Pf.ToString()))}. Nothing was written.",
                    name,
                    "Export the PFs one at a time with their own -ResourceName.");
            }

            resources.Add(new ExportResource(name, kind, members));
        }

        return resources;
    }

    private static string WhySeveral(IEnumerable<VfDriverKind> kinds, SriovExportGrouping grouping) =>
        kinds.Distinct().Count() > 1 ? "since VFs on vfio-pci and on a network driver never share one"
        : grouping == SriovExportGrouping.Vf ? "since -GroupBy Vf gives each VF its own"
        : "since -GroupBy Pf gives each PF its own (-GroupBy Host puts them in one)";

    private static string KindPart(VfDriverKind kind) => kind == VfDriverKind.Vfio ? "vfio" : "netdevice";
}
