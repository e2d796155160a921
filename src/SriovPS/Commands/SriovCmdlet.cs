using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Host;

namespace SriovPS.Commands;

/// <summary>
/// What every SriovPS command shares: the host chosen when the command starts, cancellation on
/// Ctrl+C, and the one place where the core's typed exceptions become ErrorRecords.
/// </summary>
public abstract class SriovCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HostContext? _targetHost;
    private SriovDiscovery? _discovery;
    private List<SriovPf>? _pfs;

    /// <summary>Cancelled when the user stops the command.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <summary>The host this command works on: the live one, or the copied tree in SRIOVPS_HOST_ROOT.</summary>
    protected HostContext TargetHost =>
        _targetHost ?? throw new InvalidOperationException("The host is chosen in BeginProcessing.");

    protected override void BeginProcessing()
    {
        try
        {
            _targetHost = HostContext.FromEnvironment(SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        if (!_targetHost!.IsLiveHost)
        {
            WriteVerbose($"Reading the host tree at '{_targetHost.Root}' named by {HostContext.RootVariable}.");
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Discovery on the target host; its notes (devices that vanished mid-read) go to -Verbose.</summary>
    internal SriovDiscovery Discovery => _discovery ??= new SriovDiscovery(TargetHost.Files, WriteVerbose);

    /// <summary>
    /// The PFs that <paramref name="names"/> select (every PF when there are none), reporting each
    /// malformed name before anything is read and each literal name that matches no PF. The host is
    /// read once per command, however many names arrive through the pipeline.
    /// </summary>
    internal List<SriovPf> SelectPfs(string[]? names)
    {
        List<NamePattern>? patterns = null;
        if (names is { Length: > 0 })
        {
            patterns = new List<NamePattern>(names.Length);
            foreach (var name in names)
            {
                try
                {
                    InterfaceName.Validate(name);
                    patterns.Add(NamePattern.Parse(name));
                }
                catch (SriovInvalidArgumentException e)
                {
                    WriteSriovError(e);
                }
            }

            if (patterns.Count == 0)
            {
                return [];
            }
        }

        _pfs ??= Discovery.GetPfs();
        var (selected, errors) = PfSelection.Select(_pfs, patterns);
        foreach (var error in errors)
        {
            WriteSriovError(error);
        }

        return selected;
    }

    /// <summary>Reports a failure of one item; the command goes on with the next.</summary>
    protected void WriteSriovError(SriovException exception) => WriteError(ToErrorRecord(exception));

    /// <summary>Ends the whole command.</summary>
    protected void ThrowSriovError(SriovException exception) => ThrowTerminatingError(ToErrorRecord(exception));

    internal static ErrorRecord ToErrorRecord(SriovException exception)
    {
        // SriovErrorCategory has ErrorCategory's numbers; a test holds the two enums together.
        var record = new ErrorRecord(exception, exception.ErrorId, (ErrorCategory)(int)exception.Category, exception.Target);
        if (exception.Remedy is not null)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = exception.Remedy };
        }

        return record;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
