using SriovPS.Discovery;
using SriovPS.Libvirt;
using SriovPS.Persistence;
using SriovPS.Plans;

namespace SriovPS.VfCount;

/// <summary>A PF's VF count change as plan steps, with the step that changes the count (null when it has the count asked).</summary>
internal sealed record VfCountChangePlan(ChangePlan Plan, PlanStep? CountStep);

/// <summary>
/// Plans Enable-SriovVf and Disable-SriovVf for each PF of a command: the count written through
/// <c>sriov_numvfs</c> (refused before any question while something holds a VF), and with -Persist the
/// PF's line in the udev rules file, prepared before the VFs change and put in place after.
/// </summary>
internal sealed class VfCountPlanner(HostSession session, VfCountRequest request)
{
    // Creating VFs returns once they exist; the wait covers drivers that udev loads and binds.
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(60);

    private const string KernelOnly = "VFs can only be created and removed by the running kernel.";

    private readonly UdevRulesFile _rules = new(session);
    private VfCountChanger? _changer;

    private VfCountChanger Changer => _changer ??= new VfCountChanger(
        session.Files, session.Discovery, session.KernelLinks, session.Host.IsLiveHost || session.Host.Snapshot is not null ? session.GuestOwners : null,
        session.Host.Snapshot?.Kernel?.Holders);

    /// <summary>The steps for <paramref name="pf"/>, read again first: an earlier PF of the command may have been this one.</summary>
    /// <exception cref="SriovException">The count is out of range, the PF has no driver, or its VFs are held.</exception>
    public VfCountChangePlan For(SriovPf pf)
    {
        pf = session.PfAt(pf.PciAddress) ?? pf;
        var count = VfCountPlan.For(pf, request.Count, request.DriversAutoprobe, allowZero: request.Disables);
        string label = pf.Name ?? pf.PciAddress;
        var plan = new ChangePlan();
        PlanStep? countStep = null;
        if (count.IsNoOp)
        {
            plan.Report.Note($"{label} already has {pf.NumVfs} VFs{(count.DriversAutoprobe is null ? string.Empty : $" and sriov_drivers_autoprobe {(pf.DriversAutoprobe == true ? 1 : 0)}")}: nothing written.");
        }
        else
        {
            // Refused before any question is asked; checked again right before the write.
            if (count.DestroysVfs && Changer.FindHolders(pf) is { Count: > 0 } holders)
            {
                throw VfCountChanger.Busy(count, holders);
            }

            countStep = plan.Add(new PlanStep(count.Target, count.Action, context => Apply(count, request.PreserveSettings, context))
            {
                // Disable-SriovVf destroys VFs by definition and asks through its High ConfirmImpact.
                Question = count.DestroysVfs && request.AskBeforeDestroying ? DestroyQuestion(count) : null,
                QuestionCaption = "Re-create VFs",
                LiveHostOnly = KernelOnly,
                LiveHostLabel = label,
                Undo = context =>
                {
                    // The VFs the change destroyed are gone with their settings; those that exist now keep theirs.
                    context.Report.Warn($"{label} gets its {pf.NumVfs} VFs back, without the settings the ones destroyed had.");
                    Apply(VfCountPlan.For(Now(pf), pf.NumVfs, pf.DriversAutoprobe, allowZero: true), preserveSettings: true, context);
                },
            });
        }

        if (request.Persist && RulesStep(plan, pf, count, countStep) is { } rules)
        {
            plan.Add(rules);
        }

        return new VfCountChangePlan(plan, countStep);
    }

    private SriovPf Now(SriovPf pf) => ReadAgain(pf.PciAddress) ?? throw PfErrors.Gone(pf);

    // From sysfs again, past the session's PFs: what another command may have changed meanwhile.
    private SriovPf? ReadAgain(string pciAddress) => session.Discovery.GetPfs().Find(p => p.PciAddress == pciAddress);

    private SriovHostChange? Apply(VfCountPlan count, bool preserveSettings, StepContext context)
    {
        // The PF may have changed while the user was asked or the lock was awaited.
        var now = ReadAgain(count.Pf.PciAddress);
        if (now is null || now.NumVfs != count.Pf.NumVfs)
        {
            throw new SriovException(
                ErrorCatalog.HostChangeInProgress,
                $"{count.Target} changed while this command waited (it has {now?.NumVfs.ToString(CultureInfo.InvariantCulture) ?? "no longer"} VFs, not {count.Pf.NumVfs}), so nothing was changed.",
                count.Target,
                "Run the command again.");
        }

        var vfsBefore = VfAddressList.Read(session.Files, now.PciAddress);
        context.Progress(count.Target, count.Action, 0);
        try
        {
            var outcome = Changer.Apply(
                VfCountPlan.For(now, count.Count, count.DriversAutoprobe, allowZero: true),
                preserveSettings,
                ReadyWait,
                step => context.Progress(count.Target, step.Status, step.Total == 0 ? 100 : step.Done * 100 / step.Total),
                context.Cancellation);
            outcome.TellTo(context.Report);
        }
        finally
        {
            context.ProgressDone(count.Target);
            session.Discovery.ForgetInterfaces();

            // Later PFs of the pipeline, and this one named again, are read as they are now.
            session.ForgetPfs();
        }

        RefreshPools(now, vfsBefore, context.Report);
        return null;
    }

    /// <summary>Restarts the unused libvirt pools on the PF, whose VF lists were fixed when they started, and warns of the others.</summary>
    private void RefreshPools(SriovPf pf, List<string> vfsBefore, IHostReport report)
    {
        if (pf.Name is null || session.HostLibvirt() is not { } libvirt)
        {
            return;
        }

        try
        {
            foreach (var outcome in SriovPoolRefresh.AfterCountChange(libvirt, vfsBefore, session.PfVfAddresses([pf])[0]))
            {
                if (outcome.Restarted)
                {
                    report.Note(outcome.Message);
                }
                else
                {
                    report.Warn(outcome.Message);
                }
            }
        }
        catch (SriovException e)
        {
            report.Fail(e);
        }
    }

    private string DestroyQuestion(VfCountPlan plan)
    {
        string label = plan.Pf.Name ?? plan.Pf.PciAddress;
        int kept = Math.Min(plan.Count, plan.Pf.NumVfs);
        string keptText = request.PreserveSettings
            ? $" The settings of VF{(kept == 1 ? " 0 are" : $"s 0–{kept - 1} are")} restored on the new VFs."
            : " Their MACs, VLANs and other settings are not kept (-PreserveSettings keeps them).";
        return plan.Count == 0
            ? $"{label} has {plan.Pf.NumVfs} VFs: all of them are destroyed (their interfaces go away, and their MACs, VLANs and other settings with them). Continue?"
            : $"{label} has {plan.Pf.NumVfs} VFs. The kernel cannot change that number in place, so all {plan.Pf.NumVfs} are destroyed (their interfaces go away) before {plan.Count} are created.{keptText} Continue?";
    }

    /// <summary>The PF's line in the rules file, or null (said in -Verbose) when the file already says what is asked.</summary>
    private PlanStep? RulesStep(ChangePlan plan, SriovPf pf, VfCountPlan count, PlanStep? countStep)
    {
        _rules.WarnWithoutUdev("the VF count is written there but not applied. Install udev (systemd-udevd), or create the VFs from a boot script.");
        string? text = _rules.ReadText();
        string label = pf.Name ?? pf.PciAddress;
        string action;
        if (request.Disables)
        {
            if (UdevVfRules.Find(text, pf.PciAddress) is null)
            {
                plan.Report.Note($"{UdevRulesFile.HostPath} has no line for {label}: nothing to remove.");
                return null;
            }

            action = $"remove the line that creates VFs on {label} ({pf.PciAddress}) at boot";
        }
        else
        {
            string updated = UdevVfRules.WithCount(text, pf.PciAddress, request.Count, request.DriversAutoprobe);
            if (updated == text)
            {
                plan.Report.Note($"{UdevRulesFile.HostPath} already creates {request.Count} VFs on {label} at boot: not written.");
                return null;
            }

            var entry = UdevVfRules.Find(updated, pf.PciAddress)!.Value;
            action = $"create {request.Count} VFs on {label} ({pf.PciAddress}) at boot: {UdevVfRules.Line(pf.PciAddress, entry)}";
        }

        // A "no" to the VFs is a no to their line; -WhatIf shows both.
        return _rules.Step(
            action,
            (current, _) => request.Disables
                ? UdevVfRules.Without(current, pf.PciAddress)
                : UdevVfRules.WithCount(current, pf.PciAddress, request.Count, request.DriversAutoprobe),
            prepareFirst: request.PrepareRulesFirst,
            after: countStep is null ? [] : [countStep],
            // Without a count change the line is the tree's own file; with one it follows the kernel's step.
            liveHostOnly: countStep is null ? null : KernelOnly,
            liveHostLabel: label,
            partialFailure: countStep is null ? null : $"{label} was changed as asked ({count.Action}); only {UdevRulesFile.HostPath} could not be updated.");
    }
}
