using System.Management.Automation;
using SriovPS.Completion;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV physical functions (PFs) of the host.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovPf")]
[OutputType(typeof(SriovPf))]
public sealed class GetSriovPfCommand : SriovCmdlet
{
    /// <summary>Interface names of PFs; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord() => WriteObject(SelectPfs(Name), enumerateCollection: true);
}
