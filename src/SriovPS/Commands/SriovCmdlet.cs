using System.Threading;
using SriovPS.Hosting;
using SriovPS.Plans;

namespace SriovPS.Commands;

/// <summary>
/// What every SriovPS command shares: the host chosen when the command starts and the core's session on
/// it, cancellation on Ctrl+C, the one place where a plan's steps are asked about (ShouldProcess,
/// ShouldContinue), and the one place where the core's errors become ErrorRecords.
/// </summary>
public abstract partial class SriovCmdlet : PSCmdlet, IDisposable, IChangeAsker
{
    private readonly CancellationTokenSource _stopping = new();
    private HostSession? _session;
    private bool _yesToAll;
    private bool _noToAll;

    /// <summary>
    /// The copied host tree (a directory standing for the host's <c>/</c>) or the snapshot
    /// (Save-SriovHostSnapshot: its directory or archive) this command reads and plans against instead of
    /// this machine; without it, <c>$env:SRIOVPS_HOST_ROOT</c>, else this machine.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostRoot { get; set; }

    /// <summary>The command's session on its host: discovery, PFs, selection, libvirt, the change lock.</summary>
    private protected HostSession Session =>
        _session ?? throw new InvalidOperationException("The host is chosen in BeginProcessing.");

    /// <summary>The host this command works on: the live one, or a copied tree.</summary>
    private protected HostContext TargetHost => Session.Host;

    /// <summary>Whether this command shows values only the live kernel or libvirt know, which a copied host tree lacks.</summary>
    protected virtual bool ConsultsKernel => false;

    /// <summary>Whether PFs should carry link state, MAC and MTU as the kernel reports them now (a netlink request per PF).</summary>
    protected virtual bool ReadsPfKernelState => false;

    protected override void BeginProcessing()
    {
        HostContext host;
        try
        {
            host = HostRootChoice.For(HostRoot, SessionState.Path);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
            throw;
        }

        _session = new HostSession(host, this, _stopping.Token, ReadsPfKernelState);
        if (host.Snapshot is { } snapshot)
        {
            WriteVerbose($"Reading {snapshot.Description} from '{snapshot.Source}', unpacked at '{host.Root}'.");
            CopiedTreeNotice.WarnOnce(this, snapshot);
        }
        else if (!host.IsLiveHost)
        {
            WriteVerbose($"Reading the host tree at '{host.Root}'.");
            if (ConsultsKernel)
            {
                CopiedTreeNotice.WarnOnce(this, host.Root);
            }
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// The names bound to <paramref name="parameter"/>, without the empty ones, each reported. A piped
    /// object whose name property is empty (a pool interface has no PF until its guest runs) binds such
    /// a name; it must select no PF, never every PF as an absent parameter does. Null when the parameter
    /// was not bound at all.
    /// </summary>
    internal string[]? GivenNames(string[]? names, string parameter)
    {
        if (!MyInvocation.BoundParameters.ContainsKey(parameter))
        {
            return names;
        }

        var given = (names ?? []).Where(n => !string.IsNullOrEmpty(n)).ToArray();
        if (given.Length < (names?.Length ?? 0) || given.Length == 0)
        {
            WriteSriovError(new SriovException(
                ErrorCatalog.InvalidInterfaceName,
                $"-{parameter} was given an empty name{(MyInvocation.ExpectingInput ? ": the object piped in has no PF interface name" : "")}, which names no PF.",
                parameter,
                "Give PF interface names (Get-SriovPf lists them), or pipe PFs or VFs from Get-SriovPf or Get-SriovVf."));
        }

        return given;
    }

    /// <summary>Asks about each step of <paramref name="plan"/> and makes the accepted ones under the host's change lock.</summary>
    private protected PlanResult ApplyPlan(ChangePlan plan) => PlanRunner.Run(plan, this, Session);

    /// <summary>-WhatIf, given or by preference: a refusal's remedy then does not suggest it.</summary>
    private protected bool WhatIfGiven => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
        ? ((SwitchParameter)given).IsPresent : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>ShouldProcess(target, action) with PowerShell's own wording; a host that cannot ask is ConfirmationUnavailable.</summary>
    StepAnswer IChangeAsker.Ask(string target, string action)
    {
        bool confirmed;
        ShouldProcessReason reason;
        try
        {
            confirmed = ShouldProcess(
                $"Performing the operation \"{action}\" on target \"{target}\".",
                $"Are you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{target}\".",
                "Confirm",
                out reason);
        }
        catch (Exception e) when (e is System.Management.Automation.Host.HostException or PSInvalidOperationException)
        {
            throw ConfirmationUnavailable(target, e);
        }

        return confirmed ? StepAnswer.Yes : reason == ShouldProcessReason.WhatIf ? StepAnswer.WhatIf : StepAnswer.No;
    }

    bool IChangeAsker.Confirm(string target, string question, string caption)
    {
        try
        {
            return ShouldContinue(question, caption, ref _yesToAll, ref _noToAll);
        }
        catch (Exception e) when (e is System.Management.Automation.Host.HostException or PSInvalidOperationException)
        {
            throw ConfirmationUnavailable(target, e);
        }
    }

    void IChangeAsker.Progress(string target, string status, int percent, bool completed) =>
        WriteProgress(new ProgressRecord(ProgressActivity, $"{MyInvocation.MyCommand.Name} {target}", string.IsNullOrEmpty(status) ? target : status)
        {
            PercentComplete = percent,
            RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });

    void IHostReport.Note(string note) => WriteVerbose(note);

    void IHostReport.Warn(string warning) => WriteWarning(warning);

    void IHostReport.Fail(SriovException failure) => WriteSriovError(failure);

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
        _session?.Dispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private const int ProgressActivity = 0x5352;

    // A host that cannot ask (pwsh -NonInteractive, a runspace without a UI): no change is made unasked.
    private static SriovException ConfirmationUnavailable(string target, Exception e) => new(
        ErrorCatalog.ConfirmationUnavailable,
        $"{target}: this change waits for a confirmation that the host cannot ask for ({e.Message}); it and the changes after it were not made.",
        target,
        "Run the command where it can ask, or add -Confirm:$false to make the changes without asking (-WhatIf shows them first).",
        e);
}
