using SriovPS.Configuration;

namespace SriovPS.Commands;

/// <summary>
/// What Test- and Set-SriovConfiguration share: a document from -Path or the pipeline, read and laid
/// over the host, every problem written as an error naming its JSON path before anything is compared or changed.
/// </summary>
public abstract class ConfigurationCmdlet : SriovCmdlet
{
    private protected const string PathSet = "Path";
    private protected const string InputObjectSet = "InputObject";

    /// <summary>The JSON document's file.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// The document: JSON text, a hashtable (Import-PowerShellDataFile), or an object (ConvertFrom-Json,
    /// Get-SriovConfiguration).
    /// </summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object? InputObject { get; set; }

    protected override bool ConsultsKernel => true;

    protected override bool ReadsPfKernelState => true;

    private protected SriovConfiguration Configuration => new(Session);

    /// <summary>The document laid over the host; null when it was refused (each problem written).</summary>
    private protected DesiredHost? ReadDocument()
    {
        var problems = new List<SriovException>();
        DesiredHost? desired = null;
        try
        {
            string json = ParameterSetName == PathSet ? ConfigurationInput.ReadPath(Path!, this) : ConfigurationInput.ToJson(InputObject);
            desired = Configuration.Resolve(json, problems);
        }
        catch (SriovException e)
        {
            problems.Add(e);
        }

        problems.ForEach(WriteSriovError);
        return problems.Count == 0 ? desired : null;
    }
}
