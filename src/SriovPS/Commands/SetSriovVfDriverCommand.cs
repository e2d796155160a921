using SriovPS.Completion;
using SriovPS.VfDriver;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Binds VFs to another kernel driver (vfio-pci for guests, DPDK and Kata), or back to their own.</para>
/// <para type="description">driver_override, unbind, drivers_probe, as the kernel documents it; -Persist makes it hold at boot.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovVfDriver", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class SetSriovVfDriverCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    private readonly List<(SriovPf Pf, SriovVf Vf)> _targets = [];
    private string? _driver;

    /// <summary>Interface names of the PFs whose VFs to move; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>The VF numbers on each PF; all of its VFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Index { get; set; }

    /// <summary>VFs from Get-SriovVf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovVf[]? InputObject { get; set; }

    /// <summary><c>vfio-pci</c>, another PCI driver's name, or <c>Default</c> for the driver the kernel picks by itself.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PciDriverCompleter))]
    public string? Driver { get; set; }

    /// <summary>Also records the drivers in the module's udev rules file, so VFs get them again at every boot.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Outputs each VF as it is after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ConsultsKernel => true;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _driver = VfDriverPlanner.ResolveDriver(Session, Driver!);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
    }

    /// <summary>Collects the VFs: VFs that share an IOMMU group can only be judged together.</summary>
    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        if (ParameterSetName == ByInputObjectSet)
        {
            foreach (var given in InputObject!)
            {
                if (Session.CurrentVf(given) is { } current)
                {
                    Add(current.Pf, current.Vf);
                }
            }

            return;
        }

        foreach (var pf in Session.SelectPfs(GivenNames(PfName, nameof(PfName))))
        {
            var vfs = Session.VfsOf(pf);
            if (Index is null)
            {
                vfs.ForEach(vf => Add(pf, vf));
                if (vfs.Count == 0)
                {
                    WriteVerbose($"{pf} has no VFs: nothing to do.");
                }

                continue;
            }

            foreach (int index in Index)
            {
                if (vfs.Find(v => v.Index == index) is { } vf)
                {
                    Add(pf, vf);
                }
                else
                {
                    WriteSriovError(VfErrors.NotFound(pf.ToString(), pf.NumVfs, index));
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var change = new VfDriverPlanner(Session).For(_targets, _driver, Persist);
        var result = ApplyPlan(change.Plan);
        if (!PassThru)
        {
            return;
        }

        // Each VF as it is now: those already as asked, then those moved.
        Session.ForgetPfs();
        foreach (var move in change.Unchanged.Concat(change.Moves.Where(m => result.WasMade(m.Key)).Select(m => m.Value)))
        {
            var pf = Session.PfAt(move.Pf.PciAddress) ?? move.Pf;
            if (Session.VfsOf(pf).Find(v => v.PciAddress == move.Vf.PciAddress) is { } now)
            {
                WriteHostObject(now);
            }
        }
    }

    private void Add(SriovPf pf, SriovVf vf)
    {
        if (!_targets.Exists(t => t.Vf.PciAddress == vf.PciAddress))
        {
            _targets.Add((pf, vf));
        }
    }
}
