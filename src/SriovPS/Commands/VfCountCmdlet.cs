using SriovPS.Completion;
using SriovPS.VfCount;

namespace SriovPS.Commands;

/// <summary>
/// What Enable-SriovVf and Disable-SriovVf share: PFs by name or from the pipeline, each changed
/// through the plan <see cref="VfCountPlanner"/> makes (the holder check before anything is asked, the
/// count, and -Persist through the module's udev rules file).
/// </summary>
public abstract class VfCountCmdlet : SriovCmdlet
{
    private protected const string ByPfNameSet = "ByPfName";
    private protected const string ByInputObjectSet = "ByInputObject";

    private VfCountPlanner? _planner;

    /// <summary>Interface names of the PFs to change; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>PFs from Get-SriovPf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovPf[]? InputObject { get; set; }

    /// <summary>Also records the change in the module's udev rules file, so it is made again at every boot.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    protected override bool ConsultsKernel => true;

    /// <summary>What this command asks of each PF.</summary>
    private protected abstract VfCountRequest Request { get; }

    /// <summary>Runs after a PF was changed (or found as asked): -PassThru output.</summary>
    private protected virtual void Completed(SriovPf pf)
    {
    }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject(actsOnWholePf: true))
        {
            return;
        }

        _planner ??= new VfCountPlanner(Session, Request);
        foreach (var pf in Targets())
        {
            try
            {
                var change = _planner.For(pf);
                var result = ApplyPlan(change.Plan);

                // Output only for a PF that now has the count asked; a declined, refused or failed change has none.
                if (result.Failed.Count == 0 && (change.CountStep is null || result.WasMade(change.CountStep)))
                {
                    Completed(Session.PfAt(pf.PciAddress) ?? pf);
                }
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }
    }

    private List<SriovPf> Targets() => ParameterSetName == ByInputObjectSet
        ? Session.CurrentPfs(InputObject!)
        : NamedOrPipedPfs(PfName, nameof(PfName));
}
