using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Values;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Defines a libvirt network that hands the VFs of SR-IOV PFs to guests, one per interface.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "LibvirtSriovNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByInputObjectSet)]
[OutputType(typeof(LibvirtSriovNetwork))]
// ByInputObject is the default so that a piped SriovPf binds as itself: with ByPfName the default,
// pwsh settles on it before the pipeline runs and looks only for a PfName property, which a PF lacks.
public sealed class NewLibvirtSriovNetworkCommand : LibvirtCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    private readonly List<SriovPf> _pfs = [];

    /// <summary>
    /// The network's name. Without it, each PF gets its own network, named after it (<c>eno49-sr-iov</c>);
    /// with it, all the PFs given make one network.
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Interface names of the PFs; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>PFs from Get-SriovPf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovPf[]? InputObject { get; set; }

    /// <summary>Marks the network to start whenever libvirtd starts (<c>virsh net-autostart</c>).</summary>
    [Parameter]
    public SwitchParameter Autostart { get; set; }

    /// <summary>Starts the network now (<c>virsh net-start</c>), which builds its VF pool.</summary>
    [Parameter]
    public SwitchParameter Start { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject(actsOnWholePf: true))
        {
            return;
        }

        var pfs = ParameterSetName == ByInputObjectSet ? Session.CurrentPfs(InputObject!) : NamedOrPipedPfs(PfName, nameof(PfName));
        foreach (var pf in pfs)
        {
            if (pf.Name is null)
            {
                WriteSriovError(new SriovException(
                    ErrorCatalog.PfInterfaceMissing,
                    $"The PF at {pf.PciAddress} has no network interface, and libvirt names a pool's PF by its interface.",
                    pf.PciAddress,
                    "Bind the PF to its network driver first."));
            }
            else if (!_pfs.Exists(p => p.PciAddress == pf.PciAddress))
            {
                _pfs.Add(pf);
            }
        }
    }

    // All PFs are known only at the end: with -Name they make one network together.
    protected override void EndProcessing()
    {
        if (_pfs.Count == 0)
        {
            return;
        }

        var groups = Name is null ? _pfs.Select(pf => (SriovNetworkDefinition.DefaultName(pf.Name!), new List<SriovPf> { pf })).ToList() : [(Name, _pfs)];
        var created = new List<string>();
        foreach (var (name, pfs) in groups)
        {
            try
            {
                if (Create(name, pfs))
                {
                    created.Add(name);
                }
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }

        // The networks as libvirt has them now, read once for all of them.
        if (created.Count > 0)
        {
            var networks = Describe(ReadInventory());
            foreach (var name in created)
            {
                if (networks.Find(n => n.Name == name) is { } network)
                {
                    WriteObject(network);
                }
            }
        }
    }

    /// <summary>Defines, marks and starts as asked; false when -WhatIf or the user declined.</summary>
    private bool Create(string name, List<SriovPf> pfs)
    {
        var plan = SriovNetworkDefinition.Plan(Connection, name, Session.PfVfAddresses(pfs), Start);
        var actions = new List<string>();
        if (plan.Existing == ExistingNetwork.None)
        {
            actions.Add(pfs.Count == 1
                ? $"define a hostdev network on {pfs[0].Name}"
                : $"define a hostdev network listing the {plan.Pfs.Sum(pf => pf.VfAddresses.Count)} VFs of {string.Join(", ", pfs.Select(pf => pf.Name))} by address (a fixed list)");
        }
        else
        {
            WriteVerbose($"The network '{name}' already has this definition: not defined again.");
        }

        bool autostart = Autostart && !plan.IsAutostart;
        bool start = Start && !plan.IsActive;
        if (autostart)
        {
            actions.Add("mark it to start with libvirtd");
        }

        if (start)
        {
            actions.Add("start it");
        }

        if (actions.Count == 0)
        {
            WriteVerbose($"The network '{name}' is already as asked: nothing changed.");
        }
        else if (ShouldProcess(plan.Target, string.Join(", ", actions), out _))
        {
            foreach (var done in plan.Apply(Connection, autostart, start))
            {
                WriteVerbose(done);
            }
        }
        else
        {
            return false;
        }

        return true;
    }
}
