using SriovPS.Completion;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV virtual functions (VFs) of PFs, with the settings each PF holds for them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovVf", DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class GetSriovVfCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    /// <summary>Interface names of PFs whose VFs to list; wildcards allowed. All PFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>PFs from Get-SriovPf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovPf[]? InputObject { get; set; }

    /// <summary>Only the VFs with these numbers.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Index { get; set; }

    /// <summary>Also read each VF's traffic counters (the Statistics property).</summary>
    [Parameter]
    public SwitchParameter IncludeStatistics { get; set; }

    protected override bool ConsultsKernel => true;

    private Dictionary<string, string>? _owners;
    private bool _ownersRead;

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        IReadOnlyList<SriovPf> pfs = ParameterSetName == ByInputObjectSet ? InputObject! : NamedOrPipedPfs(PfName, nameof(PfName));
        // Without PFs named, an index is asked of every PF: an error only when none has it (a spare port with no VFs is no error).
        bool everyPf = ParameterSetName != ByInputObjectSet && PfName is null && !MyInvocation.ExpectingInput;
        var found = new HashSet<int>();
        foreach (var pf in pfs)
        {
            var vfs = Session.Discovery.GetVfs(pf, IncludeStatistics);
            foreach (var vf in vfs)
            {
                if (Index is null || Array.IndexOf(Index, vf.Index) >= 0)
                {
                    vf.Owner = Owners()?.GetValueOrDefault(vf.PciAddress);
                    WriteHostObject(vf);
                }
            }

            // An index asked for by number that the PF lacks is an error, as in Set-SriovVf, not silence.
            foreach (int index in (Index ?? []).Distinct())
            {
                if (vfs.Exists(v => v.Index == index))
                {
                    found.Add(index);
                }
                else if (!everyPf)
                {
                    WriteSriovError(VfErrors.NotFound(pf.Name ?? pf.PciAddress, pf.NumVfs, index));
                }
            }
        }

        foreach (int index in everyPf ? (Index ?? []).Distinct().Where(i => !found.Contains(i)) : [])
        {
            WriteSriovError(new SriovException(
                ErrorCatalog.SriovVfNotFound,
                $"No PF here has a VF {index}.",
                $"vf {index}",
                "Get-SriovVf lists the VFs of every PF."));
        }
    }

    // One pass over libvirt per command, at the first VF, however many PFs and VFs follow.
    private Dictionary<string, string>? Owners()
    {
        if (!_ownersRead)
        {
            _ownersRead = true;
            _owners = Session.GuestOwners();
        }

        return _owners;
    }
}
