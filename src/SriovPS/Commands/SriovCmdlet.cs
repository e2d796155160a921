using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Native.Libvirt;
using SriovPS.Plans;
using SriovPS.Values;

namespace SriovPS.Commands;

/// <summary>
/// What every SriovPS command shares: the host chosen when the command starts, cancellation on
/// Ctrl+C, PF selection by name, and the one place where the core's typed exceptions become ErrorRecords.
/// </summary>
public abstract partial class SriovCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HostContext? _targetHost;
    private SriovDiscovery? _discovery;
    private KernelLinks? _kernelLinks;
    private EswitchModes? _eswitchModes;
    private List<SriovPf>? _pfs;
    private List<SriovPf>? _networkFunctions;
    private LibvirtConnection? _hostLibvirt;
    private bool _hostLibvirtTried;

    /// <summary>Cancelled when the user stops the command.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <summary>The host this command works on: the live one, or the copied tree in SRIOVPS_HOST_ROOT.</summary>
    protected HostContext TargetHost =>
        _targetHost ?? throw new InvalidOperationException("The host is chosen in BeginProcessing.");

    /// <summary>
    /// Discovery on the target host; its notes (devices that vanished mid-read) go to -Verbose. On the
    /// live host it reads the kernel over netlink and devlink too, and a failed read is a non-terminating error.
    /// </summary>
    internal SriovDiscovery Discovery => _discovery ??= new SriovDiscovery(
        TargetHost.Files,
        PciIdDatabase.ForHost(TargetHost.Files),
        WriteVerbose,
        TargetHost.IsLiveHost ? KernelLinks : null,
        TargetHost.IsLiveHost ? EswitchModes : null);

    /// <summary>The command's netlink socket to the live kernel; reads report failures as errors and warnings.</summary>
    internal KernelLinks KernelLinks => _kernelLinks ??= new KernelLinks(WriteSriovError, WriteWarning);

    /// <summary>The command's devlink socket to the live kernel; listings report failures as errors and warnings.</summary>
    internal EswitchModes EswitchModes => _eswitchModes ??= new EswitchModes(WriteSriovError, WriteWarning);

    /// <summary>
    /// The copied host tree (a directory standing for the host's <c>/</c>) this command reads and
    /// plans against instead of this machine; without it, <c>$env:SRIOVPS_HOST_ROOT</c>, else this machine.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostRoot { get; set; }

    /// <summary>Whether this command shows values only the live kernel or libvirt know, which a copied host tree lacks.</summary>
    protected virtual bool ConsultsKernel => false;

    /// <summary>Whether PFs should carry link state, MAC and MTU as the kernel reports them now (a netlink request per PF).</summary>
    protected virtual bool ReadsPfKernelState => false;

    protected override void BeginProcessing()
    {
        try
        {
            _targetHost = HostRootChoice.For(HostRoot, SessionState.Path);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        if (!_targetHost!.IsLiveHost)
        {
            WriteVerbose($"Reading the host tree at '{_targetHost.Root}'.");
            if (ConsultsKernel)
            {
                CopiedTreeNotice.WarnOnce(this, _targetHost.Root);
            }
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Every PF (and, when asked, every network function without SR-IOV), read once per command
    /// however many names arrive through the pipeline.
    /// </summary>
    internal List<SriovPf> AllPfs(bool includeNotCapable = false) => includeNotCapable
        ? _networkFunctions ??= Discovery.GetPfs(includeNotCapable: true, ReadsPfKernelState)
        : _pfs ??= Discovery.GetPfs(kernelState: ReadsPfKernelState);

    /// <summary>
    /// The session's connection to the default libvirt (<c>$env:LIBVIRT_DEFAULT_URI</c>, else
    /// <c>qemu:///system</c>) for commands that only consult it; null, said in -Verbose, on a copied
    /// host tree, without libvirt, or when it cannot be reached (these commands work without it).
    /// </summary>
    internal LibvirtConnection? HostLibvirt()
    {
        if (_hostLibvirtTried)
        {
            return _hostLibvirt;
        }

        _hostLibvirtTried = true;
        if (!TargetHost.IsLiveHost)
        {
            return null;
        }

        string uri = LibvirtUri.Default();
        try
        {
            _hostLibvirt = LibvirtSessions.Connect(uri);
        }
        catch (SriovException e)
        {
            WriteVerbose($"libvirt ({uri}) was not consulted: {e.Message}");
        }

        return _hostLibvirt;
    }

    /// <summary>
    /// The running guest holding each VF (PCI address), in one pass over libvirt; null when libvirt
    /// is not consulted (see <see cref="HostLibvirt"/>) or the pass failed (a warning).
    /// </summary>
    internal Dictionary<string, string>? ReadGuestOwners()
    {
        if (HostLibvirt() is not { } connection)
        {
            return null;
        }

        try
        {
            return LibvirtInventory.Read(connection, runningOnly: true).VfOwners();
        }
        catch (LibvirtException e)
        {
            WriteWarning($"Could not read which guests hold VFs from libvirt ({connection.Uri}): {e.Message}");
            return null;
        }
    }

    /// <summary>This host's PFs with the addresses of their VFs now: what a libvirt pool on them holds.</summary>
    internal List<PfVfAddresses> PfVfAddresses(IEnumerable<SriovPf> pfs)
    {
        var result = new List<PfVfAddresses>();
        foreach (var pf in pfs)
        {
            if (pf.Name is { } name)
            {
                result.Add(new PfVfAddresses(name, pf.PciAddress, VfAddressList.Read(TargetHost.Files, pf.PciAddress)));
            }
        }

        return result;
    }

    /// <summary>Forgets the PFs read so far, after a change that alters them (their VF count).</summary>
    internal void ForgetPfs()
    {
        _pfs = null;
        _networkFunctions = null;
    }

    /// <summary>
    /// The PFs that <paramref name="names"/> select (every PF when there are none), reporting each
    /// malformed name before anything is read and each literal name that matches no PF.
    /// </summary>
    internal List<SriovPf> SelectPfs(string[]? names, bool includeNotCapable = false) =>
        Select(ParsePatterns(names, ParseInterfaceName), includeNotCapable, PfKey.Name);

    /// <summary>The PFs at <paramref name="addresses"/> (literal or wildcard), reported like <see cref="SelectPfs"/>.</summary>
    internal List<SriovPf> SelectPfsAt(string[]? addresses, bool includeNotCapable = false) =>
        Select(ParsePatterns(addresses, PciAddress.ToPattern), includeNotCapable, PfKey.PciAddress);

    /// <summary>
    /// The PFs <paramref name="given"/> (objects from the pipeline, possibly old) as they are now,
    /// reporting each that is no longer an SR-IOV PF.
    /// </summary>
    internal List<SriovPf> CurrentPfs(SriovPf[] given)
    {
        var pfs = new List<SriovPf>(given.Length);
        foreach (var old in given)
        {
            if (AllPfs().Find(p => p.PciAddress == old.PciAddress) is { } pf)
            {
                pfs.Add(pf);
            }
            else
            {
                WriteSriovError(new SriovException(
                    ErrorCatalog.SriovPfNotFound,
                    $"{old} ({old.PciAddress}) is no longer an SR-IOV PF on this host.",
                    old.PciAddress,
                    "Run Get-SriovPf again."));
            }
        }

        return pfs;
    }

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

    /// <summary>
    /// The valid patterns among <paramref name="values"/>, writing an error for each invalid one;
    /// <c>null</c> when no values were given (select all), empty when none was valid (select none).
    /// </summary>
    internal List<NamePattern>? ParsePatterns(string[]? values, Func<string, NamePattern> parse)
    {
        if (values is null)
        {
            return null;
        }

        var patterns = new List<NamePattern>(values.Length);
        foreach (var value in values)
        {
            try
            {
                patterns.Add(parse(value));
            }
            catch (SriovException e) when (e.Category == SriovErrorCategory.InvalidArgument)
            {
                WriteSriovError(e);
            }
        }

        return patterns;
    }

    /// <summary>
    /// Takes the host's change lock for one change, so SriovPS commands in other sessions wait their
    /// turn; says in -Verbose whom it waits for.
    /// </summary>
    /// <summary>The host's change lock; a wait is noted under -Verbose at once and warned of after a few seconds, naming the holder.</summary>
    internal HostChangeLock AcquireHostLock() =>
        HostChangeLock.Acquire(TargetHost.Files, HostLockWait, WriteVerbose, CancellationToken, WriteWarning);

    // Longer than any one change takes: creating VFs waits up to 60 s for them and 60 s for their drivers.
    private static readonly TimeSpan HostLockWait = TimeSpan.FromSeconds(300);

    /// <summary>
    /// ShouldProcess(target, action) with PowerShell's own wording, telling whether it was -WhatIf that
    /// said no (then a command also shows the file changes that would follow).
    /// </summary>
    private protected bool ShouldProcess(string target, string action, out bool whatIf)
    {
        bool confirmed = ShouldProcess(
            $"Performing the operation \"{action}\" on target \"{target}\".",
            $"Are you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{target}\".",
            "Confirm",
            out ShouldProcessReason reason);
        whatIf = reason == ShouldProcessReason.WhatIf;
        return confirmed;
    }

    /// <summary>
    /// Makes a repair: its notes go to -Verbose, its warnings and problems are written, and each step
    /// is asked about (ShouldProcess, which shows a file's exact lines before and after under -WhatIf)
    /// and made under the host's change lock. A failed step is an error; the others still run.
    /// </summary>
    /// <param name="plan">The repair.</param>
    /// <param name="made">How many steps were made (a change of the running host reports no file).</param>
    /// <returns>The files changed, in the order the steps ran.</returns>
    internal List<SriovHostChange> ApplyRepairs(HostRepairPlan plan, out int made)
    {
        made = 0;
        plan.Notes.ForEach(WriteVerbose);
        plan.Warnings.ForEach(WriteWarning);
        plan.Problems.ForEach(WriteSriovError);
        var changes = new List<SriovHostChange>();
        foreach (var step in plan.Steps)
        {
            // Asked in order, so a step that follows another knows whether that one was accepted and made.
            if (!step.Wanted)
            {
                continue;
            }

            bool confirmed, whatIf;
            try
            {
                confirmed = ShouldProcess(step.Target, step.Action, out whatIf);
            }
            catch (Exception e) when (e is System.Management.Automation.Host.HostException or PSInvalidOperationException)
            {
                // A host that cannot ask (pwsh -NonInteractive, a runspace without a UI): no change is made
                // unasked, this one nor the ones after it.
                WriteSriovError(new SriovException(
                    ErrorCatalog.ConfirmationUnavailable,
                    $"{step.Target}: this change waits for a confirmation that the host cannot ask for ({e.Message}); it and the changes after it were not made.",
                    step.Target,
                    "Run the command where it can ask, or add -Confirm:$false to make the changes without asking (-WhatIf shows them first).",
                    e));
                break;
            }

            if (!confirmed)
            {
                if (whatIf)
                {
                    step.Assume();
                }

                continue;
            }

            try
            {
                using (AcquireHostLock())
                {
                    if (step.Apply(CancellationToken) is { } change)
                    {
                        changes.Add(change);
                    }
                }

                made++;

                WriteVerbose($"{step.Target}: {step.Action.Split('\n')[0]}: done.");
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }

        return changes;
    }

    /// <summary>The refusal of a change on a copied host tree, which only the running kernel can make.</summary>
    private protected SriovException LiveHostRequired(string label, string what) => new(
        ErrorCatalog.LiveHostRequired,
        $"{label} belongs to the copied host tree '{TargetHost.Root}': {what}",
        label,
        $"Leave out -HostRoot and $env:{HostContext.RootVariable} to work on this machine{(ShowsOnly() ? "." : ", or use -WhatIf to see what would be done.")}");

    // -WhatIf, given or by preference: a remedy then does not suggest it.
    private bool ShowsOnly() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
        ? ((SwitchParameter)given).IsPresent : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

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
        _kernelLinks?.Dispose();
        _eswitchModes?.Dispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private static NamePattern ParseInterfaceName(string name)
    {
        InterfaceName.Validate(name);
        return NamePattern.Parse(name);
    }

    private List<SriovPf> Select(List<NamePattern>? patterns, bool includeNotCapable, PfKey key)
    {
        if (patterns is { Count: 0 })
        {
            return [];
        }

        var (selected, errors) = PfSelection.Select(AllPfs(includeNotCapable), patterns, key);
        foreach (var error in errors)
        {
            WriteSriovError(error);
        }

        return selected;
    }
}
