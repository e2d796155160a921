using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Libvirt;

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

    protected override void ProcessRecord()
    {
        // Read for each pipeline item: an earlier item may have removed networks.
        var networks = Describe(ReadInventory());
        foreach (var network in NetworkSelection.Select(networks, Name, WriteSriovError))
        {
            try
            {
                Remove(network);
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }
    }

    private void Remove(LibvirtSriovNetwork network)
    {
        if (network.RunningConsumers.Count > 0 && !Force)
        {
            throw SriovNetworkRemoval.InUse(network);
        }

        string target = network.PfNames.Count > 0 ? $"{network.Name} ({string.Join(", ", network.PfNames)})" : network.Name;
        var action = new List<string>();
        if (network.Active)
        {
            action.Add("stop");
        }

        if (network.Persistent)
        {
            action.Add("undefine");
        }

        if (!ShouldProcess(target, $"{string.Join(" and ", action)} the SR-IOV network", out _))
        {
            return;
        }

        if (network.RunningConsumers.Count > 0)
        {
            WriteWarning($"Removing '{network.Name}' while running guests use it ({string.Join(", ", network.RunningConsumers)}): they keep their VFs until they stop, and cannot start again on it.");
        }

        foreach (var done in SriovNetworkRemoval.Remove(Connection, network.Name))
        {
            WriteVerbose(done);
        }
    }
}
