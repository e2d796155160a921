using System.IO;
using SriovPS.Completion;
using SriovPS.Configuration;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Writes the host's SR-IOV setup as a configuration document: PFs, VF counts, drivers and settings, pools, boot settings.</para>
/// <para type="description">Set-SriovConfiguration makes a host so; applied to the host it came from, it changes nothing. -AsJson gives the JSON text.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovConfiguration")]
[OutputType(typeof(PSObject), typeof(string))]
public sealed class GetSriovConfigurationCommand : SriovCmdlet
{
    private readonly List<SriovPf> _pfs = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Interface names of the PFs to describe; wildcards allowed. Every SR-IOV PF when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>Outputs the document as JSON text, for a file or another tool, instead of an object.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    protected override bool ConsultsKernel => true;

    protected override bool ReadsPfKernelState => true;

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        var names = GivenNames(PfName, nameof(PfName));
        foreach (var pf in names is null ? Session.AllPfs() : Session.SelectPfs(names))
        {
            if (_seen.Add(pf.PciAddress))
            {
                _pfs.Add(pf);
            }
        }
    }

    protected override void EndProcessing()
    {
        string schema = MyInvocation.MyCommand.Module is { ModuleBase: { } moduleBase }
            ? System.IO.Path.Combine(moduleBase, HostConfigurationWriter.SchemaFile)
            : HostConfigurationWriter.SchemaFile;
        try
        {
            string json = new SriovConfiguration(Session).Get(_pfs.OrderBy(p => p.PciAddress, StringComparer.Ordinal).ToList(), schema);
            WriteObject(AsJson ? json : ConfigurationOutput.FromJson(json));
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }
}
