using SriovPS.Completion;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists libvirt's SR-IOV (hostdev) networks with how many VFs they have, hand out and are asked for.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "LibvirtSriovNetwork")]
[OutputType(typeof(LibvirtSriovNetwork))]
public sealed class GetLibvirtSriovNetworkCommand : LibvirtCmdlet
{
    private List<LibvirtSriovNetwork>? _networks;

    /// <summary>Names of the networks; wildcards allowed. All SR-IOV networks when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // libvirt is read once, however many names arrive through the pipeline.
        _networks ??= Describe(ReadInventory());
        foreach (var network in NameSelection.Networks(_networks, Name, WriteSriovError))
        {
            WriteHostObject(network);
        }
    }
}
