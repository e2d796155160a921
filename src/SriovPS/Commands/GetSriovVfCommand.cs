using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Host;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV virtual functions (VFs) of PFs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovVf", DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class GetSriovVfCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    private SriovDiscovery? _discovery;
    private List<SriovPf>? _pfs;

    /// <summary>Interface names of PFs whose VFs to list; wildcards allowed. All PFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
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

    protected override void ProcessRecord()
    {
        _discovery ??= new SriovDiscovery(TargetHost.Files, WriteVerbose);
        if (ParameterSetName == ByInputObjectSet)
        {
            foreach (var pf in InputObject!)
            {
                WriteVfs(pf);
            }

            return;
        }

        var patterns = PfNameArguments.Parse(PfName, WriteSriovError);
        if (patterns is { Count: 0 })
        {
            return;
        }

        _pfs ??= _discovery.GetPfs();
        var (selected, errors) = PfSelection.Select(_pfs, patterns);
        foreach (var error in errors)
        {
            WriteSriovError(error);
        }

        foreach (var pf in selected)
        {
            WriteVfs(pf);
        }
    }

    private void WriteVfs(SriovPf pf)
    {
        foreach (var vf in _discovery!.GetVfs(pf))
        {
            if (Index is null || System.Array.IndexOf(Index, vf.Index) >= 0)
            {
                WriteObject(vf);
            }
        }
    }
}
