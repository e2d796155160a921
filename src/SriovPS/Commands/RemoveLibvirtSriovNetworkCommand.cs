using SriovPS.Completion;
using SriovPS.Libvirt.Networks;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Stops and undefines libvirt SR-IOV (hostdev) networks, refusing those that running guests use.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "LibvirtSriovNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLibvirtSriovNetworkCommand : LibvirtCmdlet
{
    /// <summary>Names of the networks; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Removes a network even while running guests use it (they keep their VFs until they stop).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private List<LibvirtSriovNetwork>? _networks;

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // libvirt is read once per command; what this command removes leaves the list as it goes.
        _networks ??= Describe(ReadInventory());
        var planner = new SriovNetworkPlanner(Libvirt);
        foreach (var network in NameSelection.Networks(_networks, Name, WriteSriovError))
        {
            try
            {
                var plan = planner.Remove(network, Force);
                if (ApplyPlan(plan).WasMade(plan.Steps[0]))
                {
                    _networks.Remove(network);
                }
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }
    }
}
