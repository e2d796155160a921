using System;
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
