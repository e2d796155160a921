using System.Collections;
using System.Globalization;
using SriovPS.Completion;
using SriovPS.Export;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Writes the host's SR-IOV PFs and VFs as Kubernetes device-plugin, Multus, operator, KubeVirt, nmstate or libvirt configuration.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "SriovConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(string))]
public sealed class ExportSriovConfigCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    // PF PCI address → the VF indexes piped in (null: the whole PF), in the order given.
    private readonly Dictionary<string, (SriovPf Pf, HashSet<int>? Indexes)> _chosen = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>What to write: DevicePlugin, NetworkAttachmentDefinition, SriovNetworkNodePolicy, SriovNetwork, KubeVirtInterface, Nmstate or LibvirtNetwork.</summary>
    [Parameter(Mandatory = true)]
    public SriovExportFormat Format { get; set; }

    /// <summary>Interface names of the PFs to export; wildcards allowed. Every PF with VFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>PFs from Get-SriovPf (all their VFs), VFs from Get-SriovVf (those VFs only), or PF interface names.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject[]? InputObject { get; set; }

    /// <summary>One resource per PF (Pf, the default), per driver kind over all PFs (Host), or per VF (Vf).</summary>
    [Parameter]
    public SriovExportGrouping GroupBy { get; set; } = SriovExportGrouping.Pf;

    /// <summary>The resource's name; with several resources, the beginning of each name (sriov when omitted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResourceName { get; set; }

    /// <summary>The device plugin's resource prefix, the part before '/' in the resource pods request (intel.com when omitted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ResourcePrefix { get; set; } = ExportNames.DefaultResourcePrefix;

    /// <summary>The namespace of the NetworkAttachmentDefinitions, which SriovNetwork and KubeVirt interfaces name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>The namespace the sriov-network-operator runs in (sriov-network-operator when omitted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string OperatorNamespace { get; set; } = ExportNames.DefaultOperatorNamespace;

    /// <summary>Node labels an operator policy applies to; this host (kubernetes.io/hostname) when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? NodeSelector { get; set; }

    /// <summary>For LibvirtNetwork: one network of this name over all the PFs, instead of one per PF.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NetworkName { get; set; }

    /// <summary>Writes the text to this file (atomically, the previous file kept as NAME.sriovps.bak) instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override bool ConsultsKernel => true;

    protected override bool ReadsPfKernelState => true;

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        if (ParameterSetName == ByPfNameSet)
        {
            foreach (var pf in PfName is null ? Session.AllPfs().Where(p => p.NumVfs > 0) : Session.SelectPfs(PfName))
            {
                Choose(pf, null);
            }

            return;
        }

        foreach (var item in InputObject!)
        {
            ChoosePiped(item);
        }
    }

    protected override void EndProcessing()
    {
        var request = new ExportRequest(Format)
        {
            Grouping = GroupBy,
            ResourceName = ResourceName,
            ResourcePrefix = ResourcePrefix,
            Namespace = Namespace,
            OperatorNamespace = OperatorNamespace,
            NodeSelector = NodeSelector is null ? null : ExportNames.NodeLabels(NodeSelector),
            NetworkName = NetworkName,
        };
        try
        {
            request.Validate();
            string? path = Path is null ? null : FileSystemPath(Path);

            // PFs were named or piped, and none was found: each has been reported already.
            if (_order.Count == 0 && (PfName is not null || ParameterSetName == ByInputObjectSet))
            {
                return;
            }

            var documents = SriovConfigExport.Export(Session, request, _order.ConvertAll(a => ((SriovPf, IReadOnlySet<int>?))_chosen[a]));
            if (path is null)
            {
                WriteObject(documents.ConvertAll(d => d.Text), enumerateCollection: true);
            }
            else
            {
                ApplyPlan(SriovConfigExport.FilePlan(path, documents, Format));
            }
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }

    private void ChoosePiped(PSObject item)
    {
        string? Property(string name) => item.Properties[name]?.Value?.ToString();
        bool Is(string type) => item.TypeNames.Any(n => n == $"SriovPS.{type}" || n == $"Deserialized.SriovPS.{type}");
        if (item.BaseObject is string name)
        {
            Session.SelectPfs([name]).ForEach(pf => Choose(pf, null));
        }
        else if (Is("SriovPf") && Property("PciAddress") is { Length: > 0 } pfAddress)
        {
            Session.SelectPfsAt([pfAddress]).ForEach(pf => Choose(pf, null));
        }
        else if (Is("SriovVf") && Property("PfPciAddress") is { Length: > 0 } address
            && int.TryParse(Property("Index"), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            Session.SelectPfsAt([address]).ForEach(pf => Choose(pf, index));
        }
        else
        {
            WriteSriovError(ExportNames.Invalid(
                "-InputObject",
                item.TypeNames.FirstOrDefault() ?? "object",
                "Export-SriovConfig takes PFs from Get-SriovPf, VFs from Get-SriovVf and PF interface names",
                "Pipe Get-SriovPf or Get-SriovVf, or name the PFs with -PfName."));
        }
    }

    // A whole PF wins over single VFs of it, whichever came first.
    private void Choose(SriovPf pf, int? index)
    {
        if (!_chosen.TryGetValue(pf.PciAddress, out var chosen))
        {
            _order.Add(pf.PciAddress);
            _chosen[pf.PciAddress] = (pf, index is int first ? [first] : null);
        }
        else if (index is int more)
        {
            chosen.Indexes?.Add(more);
        }
        else
        {
            _chosen[pf.PciAddress] = (pf, null);
        }
    }

    private string FileSystemPath(string given)
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out var provider, out _);
        return provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider)
            ? path
            : throw ExportNames.Invalid("-Path", given, $"it is on the {provider.Name} provider, not a file system", "Give a file path, like ./config.json.");
    }
}
