using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Libvirt;
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
        foreach (var network in NameSelection.Networks(_networks, Name, WriteSriovError))
        {
            try
            {
                if (Remove(network))
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

    /// <summary>Removes the network; false when -WhatIf or the user declined.</summary>
    private bool Remove(LibvirtSriovNetwork network)
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
            return false;
        }

        if (network.RunningConsumers.Count > 0)
        {
            WriteWarning($"Removing '{network.Name}' while running guests use it ({string.Join(", ", network.RunningConsumers)}): they keep their VFs until they stop, and cannot start again on it.");
        }

        foreach (var done in SriovNetworkRemoval.Remove(Connection, network.Name))
        {
            WriteVerbose(done);
        }

        return true;
    }
}
