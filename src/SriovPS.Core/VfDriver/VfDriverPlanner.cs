using SriovPS.Persistence;
using SriovPS.Plans;

namespace SriovPS.VfDriver;

/// <summary>Set-SriovVfDriver's steps, with the VFs already as asked and the step that moves each of the others.</summary>
internal sealed record VfDriverChangePlan(ChangePlan Plan, IReadOnlyList<VfDriverMove> Unchanged, IReadOnlyDictionary<PlanStep, VfDriverMove> Moves);

/// <summary>
/// Plans Set-SriovVfDriver: a step per VF that changes driver (driver_override, unbind, drivers_probe),
/// refused before any question while something holds the VF, and with -Persist a step per PF for its VFs'
/// lines in the module's udev rules file, written after the moves from what they made.
/// </summary>
internal sealed class VfDriverPlanner(HostSession session)
{
    // vfio-pci binds at once; a net driver registers its interface inside the probe.
    private static readonly TimeSpan BindWait = TimeSpan.FromSeconds(10);

    private readonly VfDriverChanger _changer = new(session.Files);
    private readonly HashSet<string> _moved = new(StringComparer.Ordinal);
    private bool _driverReady;

    /// <summary>
    /// The driver <paramref name="given"/> names (<c>null</c> for Default), checked before anything is planned
    /// or shown: a plan is never shown for a driver the change would refuse.
    /// </summary>
    /// <exception cref="SriovException">No such driver (InvalidDriverName, DriverNotAvailable).</exception>
    public static string? ResolveDriver(HostSession session, string given) =>
        VfDriverName.Parse(given) is { } named ? VfDriverName.Resolve(session.Files, named, session.Report) : null;

    /// <summary>The steps that give <paramref name="targets"/> <paramref name="driver"/> (null: each VF's default).</summary>
    public VfDriverChangePlan For(IReadOnlyList<(SriovPf Pf, SriovVf Vf)> targets, string? driver, bool persist)
    {
        var decided = VfDriverPlan.For(session.Files, targets, driver);
        var plan = new ChangePlan();
        decided.Refusals.ForEach(plan.Report.Fail);
        foreach (var same in decided.Unchanged)
        {
            plan.Report.Note($"{same.Vf} is already on {same.Vf.Driver} with driver_override {same.CurrentOverride ?? "(null)"}: nothing written.");
        }

        var moves = new Dictionary<PlanStep, VfDriverMove>();
        foreach (var move in decided.Moves)
        {
            // Refused before the question; the changer checks again right before it writes.
            if (_changer.FindHolders(move) is { Count: > 0 } holders)
            {
                plan.Report.Fail(VfDriverChanger.InUse(move, holders));
                continue;
            }

            moves[plan.Add(new PlanStep(move.Label, move.Action, context => Move(move, context))
            {
                LiveHostOnly = "drivers can only be bound by the running kernel.",

                // A VF that had no driver is not unbound again: it stays on the driver it got.
                Undo = move.Vf.Driver is null ? null : context => Move(Reverse(move), context),
            })] = move;
        }

        if (persist)
        {
            AddRulesSteps(plan, decided.Unchanged, moves);
        }

        return new VfDriverChangePlan(plan, decided.Unchanged, moves);
    }

    private SriovHostChange? Move(VfDriverMove move, StepContext context)
    {
        try
        {
            if (!_driverReady && move.Target is { } target)
            {
                if (_changer.EnsureDriver(target))
                {
                    context.Report.Note($"Loaded the {target} module.");
                }

                _driverReady = true;
            }
            else if (move.Target is null && move.ExpectedDriver is { } own)
            {
                // The kernel does not load modules for drivers_probe; udev would, but may not run.
                TryLoad(own, context.Report);
            }

            _changer.Apply(move, BindWait, context.Cancellation).ForEach(context.Report.Warn);
            _moved.Add(move.Vf.PciAddress);
            context.Report.Note($"{move.Label}: {move.Action}.");
            return null;
        }
        finally
        {
            session.Discovery.ForgetInterfaces();
        }
    }

    private void TryLoad(string driver, IHostReport report)
    {
        try
        {
            if (_changer.EnsureDriver(driver))
            {
                report.Note($"Loaded the {driver} module.");
            }
        }
        catch (SriovException e) when (e.Category == SriovErrorCategory.NotInstalled)
        {
            // The wait that follows reports the VF's state; this only says why.
            report.Note(e.Message);
        }
    }

    /// <summary>The move that puts the VF back on the driver and override it had.</summary>
    private VfDriverMove Reverse(VfDriverMove move)
    {
        var now = session.VfsOf(move.Pf).Find(v => v.PciAddress == move.Vf.PciAddress) ?? throw VfErrors.Gone(move.Vf);
        return new VfDriverMove(move.Pf, now, move.Vf.Driver, move.Override, move.CurrentOverride, Reprobe: now.Driver != move.Vf.Driver);
    }

    /// <summary>
    /// Per PF, its VFs' lines: the VFs already as asked and the ones moved now (not those declined or
    /// failed) keep their drivers at boot. A PF whose every VF moves follows its moves.
    /// </summary>
    private void AddRulesSteps(ChangePlan plan, IReadOnlyList<VfDriverMove> unchanged, Dictionary<PlanStep, VfDriverMove> moves)
    {
        var rules = new UdevRulesFile(session);
        rules.WarnWithoutUdev("the VF drivers are written there but not applied. Install udev (systemd-udevd).");
        string? text;
        try
        {
            text = rules.ReadText();
        }
        catch (SriovException e)
        {
            // Only the boot rules fail: the drivers asked for are still bound.
            plan.Report.Fail(e);
            return;
        }

        foreach (var group in unchanged.Concat(moves.Values).GroupBy(m => m.Pf.PciAddress))
        {
            var pf = group.First().Pf;
            var all = group.ToList();
            var ownMoves = moves.Where(m => m.Value.Pf.PciAddress == pf.PciAddress).ToList();

            // Asked about once the moves are answered: the VFs already as asked and the moves accepted (or
            // shown) keep their drivers at boot; written from those moved, as the file is then.
            string? Describe(PlanResult answers)
            {
                var kept = all.Where(m => !m.Changes || ownMoves.Exists(o => o.Value == m && answers.WasAcceptedOrShown(o.Key))).ToList();
                var (updated, _) = Planned(text, pf, kept);
                if (updated == text)
                {
                    session.Report.Note($"{UdevRulesFile.HostPath} already gives {pf}'s VFs these drivers at boot: not written.");
                    return null;
                }

                return updated is null
                    ? $"remove the file: no VF of {pf} keeps another driver at boot"
                    : $"give {pf}'s VFs their drivers at boot ({string.Join(", ", kept.Select(m => $"vf {m.Vf.Index} → {m.Target ?? "default"}"))}), with sriov_drivers_autoprobe 0 on {pf}";
            }

            plan.Add(rules.Step(
                $"give {pf}'s VFs their drivers at boot",
                (current, report) =>
                {
                    var kept = all.Where(m => !m.Changes || _moved.Contains(m.Vf.PciAddress)).ToList();
                    var (next, warnings) = Planned(current, pf, kept);
                    warnings.ForEach(report.Warn);
                    return next;
                },
                prepareFirst: false,
                after: unchanged.Any(m => m.Pf.PciAddress == pf.PciAddress) ? [] : ownMoves.Select(m => m.Key).ToList(),
                liveHostOnly: "its VFs' boot rules are written on the running host only.",
                liveHostLabel: pf.ToString(),
                actionFromAnswers: Describe));
        }
    }

    private (string? Text, List<string> Warnings) Planned(string? text, SriovPf pf, List<VfDriverMove> moves) =>
        VfDriverPersistence.Plan(
            text,
            pf,
            session.VfsOf(pf),
            moves.ToDictionary(m => m.Vf.PciAddress, m => m.Target, StringComparer.Ordinal),
            new PciDriverAvailability(session.Files));
}
