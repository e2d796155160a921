using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Host;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV physical functions (PFs) of the host.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovPf")]
[OutputType(typeof(SriovPf))]
public sealed class GetSriovPfCommand : SriovCmdlet
{
    private List<SriovPf>? _pfs;

    /// <summary>Interface names of PFs; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = PfNameArguments.Parse(Name, WriteSriovError);
        if (patterns is { Count: 0 })
        {
            return;
        }

        // One sysfs pass per command, however many names arrive through the pipeline.
        _pfs ??= new SriovDiscovery(TargetHost.Files, WriteVerbose).GetPfs();
        var (selected, errors) = PfSelection.Select(_pfs, patterns);
        foreach (var error in errors)
        {
            WriteSriovError(error);
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
