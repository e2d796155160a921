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

    private readonly System.Text.StringBuilder _lines = new();

    /// <summary>What the command does with a document that was read without a problem.</summary>
    private protected abstract void Handle(DesiredHost desired);

    protected override void ProcessRecord()
    {
        // Lines piped one by one (Get-Content without -Raw) are one document, as ConvertFrom-Json reads them.
        if (ParameterSetName == InputObjectSet && (InputObject is PSObject { BaseObject: string } || InputObject is string))
        {
            _lines.Append(InputObject.ToString()).Append('\n');
            return;
        }

        Read(ParameterSetName == PathSet ? () => ConfigurationInput.ReadPath(Path!, this) : () => ConfigurationInput.ToJson(InputObject));
    }

    protected override void EndProcessing()
    {
        if (_lines.Length > 0)
        {
            Read(_lines.ToString);
        }
    }

    /// <summary>The document laid over the host, handled; or every problem written, nothing else done.</summary>
    private void Read(Func<string> json)
    {
        var problems = new List<SriovException>();
        DesiredHost? desired = null;
        try
        {
            desired = Configuration.Resolve(json(), problems);
        }
        catch (SriovException e)
        {
            problems.Add(e);
        }

        problems.ForEach(WriteSriovError);
        if (problems.Count == 0 && desired is not null)
        {
            Handle(desired);
        }
    }
}
