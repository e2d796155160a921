using SriovPS.Plans;
using SriovPS.VfDriver;

namespace SriovPS.VfSettings;

/// <summary>
/// Gives one VF its planned settings: the attributes sent one by one, then, for a new MAC, the VF's net
/// driver rebound (when the planner found it due) or the need for it said. Taken back, it sends the
/// values the VF had when it was planned.
/// </summary>
internal sealed class VfSettingsStep
{
    /// <summary>Why a copied host tree cannot take the step: VF settings live in the running kernel.</summary>
    internal const string LiveHostOnly = "VF settings can only be applied to the running kernel.";

    // igbvf and ixgbevf register their interface inside the bind; the wait only covers slower drivers.
    private static readonly TimeSpan InterfaceWait = TimeSpan.FromSeconds(10);

    private readonly HostSession _session;
    private readonly string _pfName;
    private readonly string? _pfDriver;
    private readonly SriovVf _vf;
    private readonly VfSettingsPlan _settings;
    private readonly byte[]? _adminMac;
    private readonly bool _rebindAsked;
    private readonly bool _rebinding;

    /// <param name="vf">The VF as it was read when planned.</param>
    /// <param name="adminMac">The administrative MAC the VF should carry: being set now, or set earlier.</param>
    /// <param name="rebindAsked">Whether -Rebind was given: without it, a new MAC comes with a warning that the interface does not carry it yet.</param>
    /// <param name="rebinding">Whether the VF's driver is to be rebound (found due when planned, checked again after the MAC is sent).</param>
    internal VfSettingsStep(
        HostSession session, string pfName, string? pfDriver, SriovVf vf, VfSettingsPlan settings, byte[]? adminMac, bool rebindAsked, bool rebinding)
    {
        _session = session;
        _pfName = pfName;
        _pfDriver = pfDriver;
        _vf = vf;
        _settings = settings;
        _adminMac = adminMac;
        _rebindAsked = rebindAsked;
        _rebinding = rebinding;
        Step = new PlanStep($"{vf.PciAddress} ({pfName} vf {vf.Index})", Action(), Apply)
        {
            LiveHostOnly = LiveHostOnly,
            LiveHostLabel = $"{pfName} vf {vf.Index}",
            Undo = settings.IsKnown ? Undo : null,
        };
    }

    internal PlanStep Step { get; }

    /// <summary>
    /// Whether the step was sent and failed only by attributes the kernel refused: the VF may have
    /// changed (the attributes are independent), so -PassThru still shows it.
    /// </summary>
    internal bool FailedOnlyByRefusals { get; private set; }

    private string Label => $"{_pfName} vf {_vf.Index}";

    private bool AssignsMac => _adminMac is { } mac && Array.Exists(mac, static b => b != 0);

    private string Action() =>
        _settings.Changes.Count == 0 ? $"rebind {_vf.Driver}"
        : _rebinding ? $"ip link set {Label} {_settings.IpArguments}, then rebind {_vf.Driver}"
        : $"ip link set {Label} {_settings.IpArguments}";

    private SriovHostChange? Apply(StepContext context)
    {
        var outcome = Send(_settings, context, "Set");

        // Each refusal is said as it comes; the last fails the step once the new MAC has been dealt with.
        var refusals = outcome.Failures;
        for (int i = 0; i < refusals.Count - 1; i++)
        {
            context.Report.Fail(refusals[i]);
        }

        try
        {
            TakeMac(outcome, context);
        }
        catch (SriovException) when (refusals.Count > 0)
        {
            context.Report.Fail(refusals[^1]);
            throw;
        }

        if (refusals.Count > 0)
        {
            FailedOnlyByRefusals = true;
            throw refusals[^1];
        }

        return null;
    }

    /// <summary>Rebinds the VF's driver for a MAC the PF took, or says when its interface will carry it.</summary>
    private void TakeMac(VfSettingsOutcome outcome, StepContext context)
    {
        bool macRefused = _settings.ChangesMacAddress && !outcome.AppliedMacAddress;
        if (_rebinding && !macRefused)
        {
            // Some drivers (i40e, ice) reset the VF themselves on a MAC change: rebind only if still needed.
            if (VfRebind.Assess(_vf, _adminMac, _session.Files) == VfRebindNeed.Needed)
            {
                Rebind(context);
            }
            else
            {
                context.Report.Note($"{_vf.Name} took the administrative MAC without a rebind.");
            }
        }
        else if (outcome.AppliedMacAddress && AssignsMac && !_rebindAsked && _vf.Driver is not null)
        {
            context.Report.Warn(_vf.Name is not null
                ? $"{Label}: the PF holds the new MAC, but {_vf.Name} ({_vf.Driver}) takes it only when its driver next initialises the VF. Add -Rebind to rebind {_vf.Driver} now (the interface goes down briefly)."
                : $"{Label}: the PF holds the new MAC, but the VF's driver ({_vf.Driver}) reads it only when it next initialises the VF: for vfio-pci, when the guest or program using it resets the VF.");
        }
    }

    /// <summary>Rebinds the VF's net driver, then makes sure its interface carries the administrative MAC.</summary>
    private void Rebind(StepContext context)
    {
        var (name, setDirectly) = VfRebind.RebindAndAdopt(_session.KernelLinks!, _session.Files, _vf, _adminMac!, InterfaceWait, context.Cancellation);
        _session.Discovery.ForgetInterfaces();
        if (name is null)
        {
            if (!context.Cancellation.IsCancellationRequested)
            {
                context.Report.Warn($"{Label} was rebound to {_vf.Driver}, but no interface appeared within {InterfaceWait.TotalSeconds} s.");
            }

            return;
        }

        context.Report.Note(setDirectly
            ? $"Rebound {_vf.PciAddress} to {_vf.Driver}; {name} did not take the administrative MAC when the driver probed the VF, so it was set on {name} directly."
            : $"Rebound {_vf.PciAddress} to {_vf.Driver}; its interface {name} carries the administrative MAC.");
    }

    /// <summary>
    /// Sends the VF's earlier values for what the step changed. A value the driver did not report
    /// cannot be put back and is warned of; a refusal is an error, as when the step was made.
    /// </summary>
    private void Undo(StepContext context)
    {
        var restore = _settings.Restoring(out var unknown);
        foreach (var setting in unknown)
        {
            context.Report.Warn($"{Label}: {setting} is not taken back: the driver did not report the value it had before.");
        }

        var outcome = Send(restore, context, "Put back");
        if (outcome.AppliedMacAddress && _vf.Driver is not null)
        {
            context.Report.Warn($"{Label}: the PF holds the earlier MAC again, but the VF's driver ({_vf.Driver}) reads it only when it next initialises the VF.");
        }

        var refusals = outcome.Failures;
        for (int i = 0; i < refusals.Count - 1; i++)
        {
            context.Report.Fail(refusals[i]);
        }

        if (refusals.Count > 0)
        {
            throw refusals[^1];
        }
    }

    private VfSettingsOutcome Send(VfSettingsPlan settings, StepContext context, string verb) =>
        new VfSettingsWriter(_session.KernelLinks!).ApplyAndTell(_pfName, _pfDriver, _vf.Index, settings, context.Report, verb);
}
