using System.IO;
using System.Text;
using SriovPS.Hosting;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Files;
using SriovPS.Plans;

namespace SriovPS.Export;

/// <summary>What to export, and how; checked whole before the host is read.</summary>
internal sealed record ExportRequest(SriovExportFormat Format)
{
    public SriovExportGrouping Grouping { get; init; } = SriovExportGrouping.Pf;

    public string? ResourceName { get; init; }

    public string ResourcePrefix { get; init; } = ExportNames.DefaultResourcePrefix;

    /// <summary>The namespace of the NetworkAttachmentDefinitions (and what KubeVirt and SriovNetwork name).</summary>
    public string? Namespace { get; init; }

    public string OperatorNamespace { get; init; } = ExportNames.DefaultOperatorNamespace;

    /// <summary>The nodes an operator policy applies to; <c>null</c> for this host by its name.</summary>
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    /// <summary>The name of one libvirt network over all the PFs; <c>null</c> for one network per PF.</summary>
    public string? NetworkName { get; init; }

    /// <exception cref="SriovException">An argument breaks its rule; the message names the rule.</exception>
    public void Validate()
    {
        if (ResourceName is not null)
        {
            ExportNames.CheckResourceName(ResourceName, "-ResourceName");
        }

        ExportNames.CheckResourcePrefix(ResourcePrefix);
        if (Namespace is not null)
        {
            ExportNames.CheckNamespace("-Namespace", Namespace);
        }

        ExportNames.CheckNamespace("-OperatorNamespace", OperatorNamespace);
        if (NodeSelector is not null)
        {
            ExportNames.CheckNodeSelector(NodeSelector);
        }

        if (NetworkName is not null)
        {
            SriovNetworkDefinition.ValidateName(NetworkName);
        }
    }
}

/// <summary>One exported document: what it holds (for messages and file names) and its text.</summary>
internal sealed record ExportDocument(string Name, string Text);

/// <summary>
/// Writes the host's PFs and VFs as the configuration another tool reads (<see cref="SriovExportFormat"/>),
/// from what the host has when the export runs. Nothing on the host changes; <see cref="FilePlan"/> plans
/// the one write an export makes, to a file the user names.
/// </summary>
internal static class SriovConfigExport
{
    /// <summary>The documents for <paramref name="chosen"/> PFs (each with the VF indexes chosen, or <c>null</c> for all).</summary>
    /// <exception cref="SriovException">An argument is invalid, there is nothing to export, or the format cannot hold what was chosen.</exception>
    public static List<ExportDocument> Export(HostSession session, ExportRequest request, IReadOnlyList<(SriovPf Pf, IReadOnlySet<int>? Indexes)> chosen)
    {
        // Checked again here for callers other than the cmdlet: nothing is read with a bad argument.
        request.Validate();
        var nodeSelector = request.NodeSelector ?? ThisNode(session, request.Format);
        var pfs = chosen.Select(c => ExportedPf.Read(session, c.Pf, c.Indexes)).ToList();
        if (request.Format is SriovExportFormat.Nmstate or SriovExportFormat.LibvirtNetwork)
        {
            // These describe PFs: a PF with no VFs is still one (nmstate sets total-vfs 0; libvirt builds the pool when it starts).
            if (pfs.Count == 0)
            {
                throw NothingToExport("no SR-IOV PF here has VFs; name a PF with -PfName to export it without them");
            }

            return request.Format == SriovExportFormat.Nmstate
                ? [new ExportDocument("nmstate", NmstateConfig.Write(pfs, session))]
                : LibvirtNetworks(pfs, request.NetworkName);
        }

        // A VF index the PF lacks has been reported as such; a PF without VFs is said here.
        foreach (var pf in pfs.Where(p => p.Vfs.Count == 0))
        {
            session.Report.Warn($"{pf.Pf} has no VFs, so nothing is exported for it. Create them first: Enable-SriovVf {pf.Pf} -Count N.");
        }

        var resources = ExportResources.Group(pfs, request.Grouping, request.ResourceName, DefaultRouteInterfaces(session), session.Report);
        if (resources.Count == 0)
        {
            throw NothingToExport(
                pfs.Count == 0 ? "no PF here has VFs"
                : pfs.All(p => p.Vfs.Count == 0) ? "no PF given has VFs"
                : !pfs.Any(p => p.Chosen.Any()) ? "none of the VFs given is on the host"
                : "none of the VFs given is one a Kubernetes component can use (the warnings say why)");
        }

        string text = request.Format switch
        {
            SriovExportFormat.DevicePlugin => DevicePluginConfig.Write(resources, request.ResourcePrefix),
            SriovExportFormat.NetworkAttachmentDefinition => KubernetesObjects.NetworkAttachmentDefinitions(resources, request.ResourcePrefix, request.Namespace, session.Report),
            SriovExportFormat.SriovNetworkNodePolicy => OperatorObjects.NodePolicies(resources, request.OperatorNamespace, nodeSelector!),
            SriovExportFormat.SriovNetwork => OperatorObjects.Networks(resources, request.OperatorNamespace, request.Namespace, session.Report),
            SriovExportFormat.KubeVirtInterface => KubernetesObjects.KubeVirtInterfaces(resources, request.Namespace, session.Report),
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };
        return [new ExportDocument(request.Format.ToString(), text)];
    }

    /// <summary>
    /// The write of <paramref name="documents"/> to <paramref name="path"/> (a full path on this machine,
    /// also when the host read is a copied tree): atomic, the previous file kept as a backup, nothing
    /// written when it already holds the text. Exporting changes no host state, so no host lock is taken.
    /// </summary>
    /// <exception cref="SriovException">There are several libvirt networks, which one file cannot hold; the file exists and cannot be replaced.</exception>
    public static ChangePlan FilePlan(string path, IReadOnlyList<ExportDocument> documents, SriovExportFormat format)
    {
        if (documents.Count > 1)
        {
            throw ExportNames.Invalid(
                "-Path",
                path,
                $"the export makes {documents.Count} libvirt networks ({string.Join(", ", documents.Select(d => d.Name))}) and a network file holds one",
                "Give -NetworkName to make one network of them all, or export one PF at a time.");
        }

        // As Out-File: the file is created, never the directories leading to it.
        if (!Directory.Exists(Path.GetDirectoryName(path)))
        {
            throw ExportNames.Invalid("-Path", path, "its directory does not exist", "Create the directory first, or give another path.");
        }

        string what = $"{format} configuration";
        var file = new ConfigFile(new HostFileSystem("/"), path);
        file.CheckWritable();
        var edit = new HostFileEdit(file, file.ReadText(), documents[0].Text, $"write the {what}", rebootRequired: false);
        var plan = new ChangePlan { TakesHostLock = false };
        if (!edit.Changes)
        {
            plan.Report.Note($"{path} already holds this {what}; it was left as it is.");
        }

        plan.AddEdit(edit);
        return plan;
    }

    private static List<ExportDocument> LibvirtNetworks(IReadOnlyList<ExportedPf> pfs, string? networkName)
    {
        // One PF whose every VF is taken: by name, so libvirt builds the pool from the PF each time it starts.
        static string Xml(string name, IReadOnlyList<ExportedPf> pool) =>
            pool is [{ AllChosen: true, Pf.Name: { } pfName }]
                ? HostdevNetworkXml.ForPf(name, pfName) + "\n"
                : HostdevNetworkXml.ForAddresses(name, pool.SelectMany(p => p.Chosen.Select(vf => vf.PciAddress))) + "\n";

        // A list of no VFs would define a pool that never serves a guest.
        static bool Empty(IReadOnlyList<ExportedPf> pool) => !pool.Any(p => p.Chosen.Any()) && pool is not [{ AllChosen: true, Pf.Name: not null }];

        var networks = networkName is not null
            ? [(networkName, (IReadOnlyList<ExportedPf>)pfs)]
            : pfs.Select(pf => (SriovNetworkDefinition.DefaultName(pf.Pf.Name ?? ExportNames.PfPart(pf.Pf)), (IReadOnlyList<ExportedPf>)[pf])).ToList();
        if (networks.Find(n => Empty(n.Item2)) is { Item1: { } empty })
        {
            throw NothingToExport($"the network '{empty}' would list no VF");
        }

        return networks.ConvertAll(n => new ExportDocument(n.Item1, Xml(n.Item1, n.Item2)));
    }

    /// <summary>The label node feature discovery gives nodes with SR-IOV NICs, which the operator's own examples select by.</summary>
    internal const string SriovCapableLabel = "feature.node.kubernetes.io/network-sriov.capable";

    // Where the operator's policy applies without -NodeSelector: this host, by the label every node
    // carries; a copied tree without a host name, every SR-IOV-capable node, said so.
    private static Dictionary<string, string>? ThisNode(HostSession session, SriovExportFormat format)
    {
        if (format != SriovExportFormat.SriovNetworkNodePolicy)
        {
            return null;
        }

        // The kubelet labels a node with its kernel host name, whole and in lower case (unless --hostname-override says otherwise).
        string? name = (session.Host.IsLiveHost ? session.Files.ReadAttribute("/proc/sys/kernel/hostname") : session.Host.HostName)?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(name))
        {
            session.Report.Warn(
                $"The host tree '{session.Host.Root}' has no host name, so the policies select every node labelled {SriovCapableLabel}=true; give -NodeSelector to choose the nodes.");
            return new() { [SriovCapableLabel] = "true" };
        }

        return new() { ["kubernetes.io/hostname"] = name };
    }

    /// <summary>The interfaces that hold an IPv4 default route (<c>/proc/net/route</c>), which the device plugin never offers.</summary>
    private static HashSet<string> DefaultRouteInterfaces(HostSession session)
    {
        var interfaces = new HashSet<string>(StringComparer.Ordinal);
        if (session.Files.ReadAll("/proc/net/route", out byte[]? content) != 0 || content is null)
        {
            return interfaces;
        }

        // Iface, Destination, Gateway, Flags, RefCnt, Use, Metric, Mask … in hex; the first line names them.
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n').Skip(1))
        {
            var fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields.Length > 7 && fields[1] == "00000000" && fields[7] == "00000000")
            {
                interfaces.Add(fields[0]);
            }
        }

        return interfaces;
    }

    private static SriovException NothingToExport(string why) => new(
        ErrorCatalog.NothingToExport,
        $"There is nothing to export: {why}.",
        "Export-SriovConfig",
        "Create VFs first (Enable-SriovVf), or name PFs that have them: Get-SriovPf | Where-Object NumVfs -gt 0.");
}
