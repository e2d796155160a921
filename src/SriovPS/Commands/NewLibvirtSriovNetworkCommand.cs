using SriovPS.Completion;
using SriovPS.Libvirt.Networks;

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
        var planner = new SriovNetworkPlanner(Libvirt);
        var created = new List<string>();
        foreach (var (name, pfs) in groups)
        {
            try
            {
                // Output for a network already as asked, or changed; not for one declined, shown by -WhatIf or failed.
                var plan = planner.Define(name, Session.PfVfAddresses(pfs), Autostart, Start);
                var result = ApplyPlan(plan);
                if (plan.Steps.TrueForAll(result.WasMade))
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
                    WriteHostObject(network);
                }
            }
        }
    }
}
