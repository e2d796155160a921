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

    private readonly ExportSelection _selection = new();
    private ExportRequest? _request;
    private string? _path;

    /// <summary>What to write: DevicePlugin, NetworkAttachmentDefinition, SriovNetworkNodePolicy, SriovNetwork, KubeVirtInterface, Nmstate or LibvirtNetwork.</summary>
    [Parameter(Mandatory = true)]
    public SriovExportFormat Format { get; set; }

    /// <summary>Interface names of the PFs to export; wildcards allowed. Every PF with VFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Position = 0)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>
    /// PFs from Get-SriovPf (all their VFs), VFs from Get-SriovVf (those VFs only), PF interface names,
    /// or any object with their properties (PfPciAddress or PfName with Index for a VF; PciAddress or Name for a PF).
    /// </summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject[]? InputObject { get; set; }

    /// <summary>One resource per PF (Pf, the default), per driver kind over all PFs (Host), or per VF (Vf).</summary>
    [Parameter]
    public SriovExportGrouping GroupBy { get; set; } = SriovExportGrouping.Pf;

    /// <summary>The name of the one resource the VFs make; names are made from sriov, the PF and the driver kind when omitted.</summary>
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

    // The arguments are checked before any PF is read: a bad one ends the command with nothing read or written.
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _request = new ExportRequest(Format)
            {
                Grouping = GroupBy,
                ResourceName = ResourceName,
                ResourcePrefix = ResourcePrefix,
                Namespace = Namespace,
                OperatorNamespace = OperatorNamespace,
                NodeSelector = NodeSelector is null ? null : ExportNames.NodeLabels(NodeSelector),
                NetworkName = NetworkName,
            };
            _request.Validate();
            _path = Path is null ? null : FileSystemPath(Path);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
    }

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
                _selection.Add(pf, null);
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
        // PFs were named or piped, and none was found: each has been reported already.
        if (_selection.IsEmpty && (PfName is not null || ParameterSetName == ByInputObjectSet))
        {
            return;
        }

        try
        {
            var documents = SriovConfigExport.Export(Session, _request!, _selection.Chosen);
            if (_path is null)
            {
                WriteObject(documents.ConvertAll(d => d.Text), enumerateCollection: true);
            }
            else
            {
                ApplyPlan(SriovConfigExport.FilePlan(_path, documents, Format));
            }
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }

    // By what the object carries, whatever its type; a PF is found again by its address where it has one.
    private void ChoosePiped(PSObject item)
    {
        var reference = PipedReference.Read(item);
        if (reference is null)
        {
            WriteSriovError(ExportNames.Invalid(
                "-InputObject",
                item.TypeNames.FirstOrDefault() ?? "object",
                "it names no PF or VF (no PciAddress, PfPciAddress or PfName with Index, PfName or Name)",
                "Pipe Get-SriovPf or Get-SriovVf, or name the PFs with -PfName."));
        }
        else if (reference.ComputerName is { } computer && !CameFromThisHost(computer, reference.Origin, out string here))
        {
            // Objects given as -InputObject are not seen by AcceptPipedObject.
            WriteSriovError(new SriovException(
                ErrorCatalog.ObjectFromOtherHost,
                $"The object given came from '{computer}' (its PSComputerName), but Export-SriovConfig reads {here}; it is not exported.",
                computer,
                $"Run the export on '{computer}' itself: Invoke-Command -HostName {computer} {{ Export-SriovConfig ... }}."));
        }
        else
        {
            var pfs = reference.PfAddress is { } address ? Session.SelectPfsAt([address]) : Session.SelectPfs([reference.PfName!]);
            pfs.ForEach(pf => _selection.Add(pf, reference.Index));
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
