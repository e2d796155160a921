namespace SriovPS.Plans;

/// <summary>
/// Makes a plan: reports what the planner found, asks about every step in order (nothing is changed
/// while the user is being asked), then takes the host's change lock once, prepares the module's files,
/// and makes the accepted steps in order. A failed step is reported and the steps that follow it
/// (<see cref="PlanStep.After"/>) are skipped; others still run, unless the plan
/// <see cref="ChangePlan.RollsBack"/>: then nothing more is made and what was made is undone, newest first.
/// </summary>
internal static class PlanRunner
{
    public static PlanResult Run(ChangePlan plan, IChangeAsker asker, HostSession session)
    {
        var result = new PlanResult();
        plan.Report.TellTo(asker);
        var accepted = Ask(plan, asker, result, askQuestions: session.Host.Snapshot is null);
        accepted = RefuseOnCopiedTree(plan, accepted, asker, session, result);
        if (accepted.Count > 0)
        {
            MakeUnderLock(plan, accepted, asker, session, result);
        }

        if (plan.LiveHostRefusal is { } refusal && result.RefusedOnTree.Count > 0)
        {
            asker.Fail(refusal(result));
        }

        return result;
    }

    private static void MakeUnderLock(ChangePlan plan, List<PlanStep> accepted, IChangeAsker asker, HostSession session, PlanResult result)
    {
        IDisposable? hostLock = null;
        if (plan.TakesHostLock)
        {
            try
            {
                hostLock = session.AcquireLock();
            }
            catch (SriovException e)
            {
                // Nothing was made: each accepted step failed with the plan.
                asker.Fail(e);
                result.Failed.AddRange(accepted);
                return;
            }
        }

        using (hostLock)
        {
            var prepared = new Dictionary<PlanStep, IDisposable?>();
            try
            {
                if (PrepareFiles(accepted, prepared, asker))
                {
                    Make(plan, accepted, prepared, asker, session, result);
                }
                else
                {
                    result.Failed.AddRange(accepted);
                }
            }
            finally
            {
                foreach (var file in prepared.Values)
                {
                    file?.Dispose();
                }
            }
        }
    }

    /// <param name="askQuestions">Whether a step's question (ShouldContinue) is asked: not where every step is refused anyway (a snapshot).</param>
    private static List<PlanStep> Ask(ChangePlan plan, IChangeAsker asker, PlanResult result, bool askQuestions)
    {
        var accepted = new List<PlanStep>();
        foreach (var step in plan.Steps)
        {
            if (step.After.Count > 0 && !step.After.Any(s => result.Accepted.Contains(s) || result.Shown.Contains(s)))
            {
                continue;
            }

            string? action = step.ActionFromAnswers is { } fromAnswers ? fromAnswers(result) : step.Action;
            if (action is null)
            {
                continue;
            }

            StepAnswer answer;
            try
            {
                answer = asker.Ask(step.Target, action);
                if (answer == StepAnswer.Yes && askQuestions && step.Question is { } question && !asker.Confirm(step.Target, question, step.QuestionCaption))
                {
                    answer = StepAnswer.No;
                }
            }
            catch (SriovException e)
            {
                // The host cannot ask: this step and the ones after it are not made unasked; a plan that
                // stands or falls whole makes none of its steps either.
                asker.Fail(e);
                if (plan.RollsBack)
                {
                    accepted.Clear();
                }

                break;
            }

            if (answer == StepAnswer.Yes)
            {
                accepted.Add(step);
                result.Accepted.Add(step);
            }
            else if (answer == StepAnswer.WhatIf)
            {
                result.Shown.Add(step);
            }
            else
            {
                result.Declined.Add(step);
            }
        }

        return accepted;
    }

    private static List<PlanStep> RefuseOnCopiedTree(ChangePlan plan, List<PlanStep> accepted, IChangeAsker asker, HostSession session, PlanResult result)
    {
        if (session.Host.IsLiveHost)
        {
            return accepted;
        }

        if (session.Host.Snapshot is { } snapshot && accepted.Count > 0)
        {
            // A snapshot is a record: neither its kernel nor its files are changed.
            asker.Fail(new SriovException(
                ErrorCatalog.SnapshotReadOnly,
                $"{snapshot.Description} ('{snapshot.Source}') is a record and is not changed: {accepted.Count} change{(accepted.Count == 1 ? " was" : "s were")} not made.",
                snapshot.Source,
                "Run the command on the host itself; -WhatIf on the snapshot shows what it would change there."));
            result.Failed.AddRange(accepted);
            return [];
        }

        var kept = new List<PlanStep>(accepted.Count);
        foreach (var step in accepted)
        {
            // A step that follows only refused ones: one refusal says it for both, unless the plan makes
            // such steps in the tree (its files are the tree's own) and refuses the kernel's part once.
            if (plan.LiveHostRefusal is null && step.After.Count > 0 && !step.After.Any(kept.Contains))
            {
                continue;
            }

            if (step.LiveHostOnly is { } why)
            {
                if (plan.LiveHostRefusal is null)
                {
                    asker.Fail(session.LiveHostRequired(step.LiveHostLabel ?? step.Target, why, whatIfGiven: false));
                }
                else
                {
                    result.RefusedOnTree.Add(step);
                }

                result.Failed.Add(step);
            }
            else
            {
                kept.Add(step);
            }
        }

        return kept;
    }

    // Every file is prepared before any step is made: a file that cannot be written leaves the host as it was.
    private static bool PrepareFiles(List<PlanStep> accepted, Dictionary<PlanStep, IDisposable?> prepared, IChangeAsker asker)
    {
        foreach (var step in accepted.Where(s => s.Prepare is not null))
        {
            try
            {
                prepared[step] = step.Prepare!();
            }
            catch (SriovException e)
            {
                asker.Fail(e);
                return false;
            }
        }

        return true;
    }

    private static void Make(
        ChangePlan plan, List<PlanStep> accepted, Dictionary<PlanStep, IDisposable?> prepared, IChangeAsker asker, HostSession session, PlanResult result)
    {
        foreach (var step in accepted)
        {
            if (step.After.Count > 0 && !step.After.Any(s => result.WasMade(s) || result.RefusedOnTree.Contains(s)))
            {
                continue;
            }

            var context = new StepContext(asker, session.Cancellation, prepared.GetValueOrDefault(step));
            try
            {
                if (step.Apply(context) is { } change)
                {
                    result.ChangeOf[step] = change;
                }

                result.Made.Add(step);
                asker.Note($"{step.Target}: {step.Action.Split('\n')[0]}: done.");
            }
            catch (SriovException e)
            {
                result.Failed.Add(step);
                if (!plan.RollsBack)
                {
                    asker.Fail(e);
                    if (plan.StopsAtFirstFailure)
                    {
                        return;
                    }

                    continue;
                }

                RollBack(plan, e, asker, session, result);
                return;
            }
        }

        // A plan the user answered no to in part is not expected to reach its end state.
        if (result.Declined.Count == 0 && Verify(plan) is { } unmet)
        {
            if (plan.RollsBack && result.Made.Count > 0)
            {
                RollBack(plan, unmet, asker, session, result);
            }
            else
            {
                asker.Fail(unmet);
            }
        }
    }

    /// <summary>The plan's verification; a host that cannot be read back fails it as a setting not as asked would.</summary>
    private static SriovException? Verify(ChangePlan plan)
    {
        try
        {
            return plan.Verify?.Invoke();
        }
        catch (SriovException e)
        {
            return e;
        }
    }

    private static void RollBack(ChangePlan plan, SriovException failure, IChangeAsker asker, HostSession session, PlanResult result)
    {
        // Told once the undoing is over: under -ErrorAction Stop the first error ends the command.
        var held = new HostReport();
        int made = result.Made.Count;
        Undo(result, held, new StepContext(new HeldAsker(held, asker), session.Cancellation, null));
        held.Failures.Insert(0, plan.SaysWhatWasTakenBack ? WithWhatWasTakenBack(failure, result.Made.Take(made).ToList(), result) : failure);
        held.TellTo(asker);
    }

    private static SriovException WithWhatWasTakenBack(SriovException failure, List<PlanStep> made, PlanResult result)
    {
        static string Line(PlanStep step) => $"\n  {step.Target}: {step.Action.Split('\n')[0]}";
        string undone = string.Concat(made.Where(result.Undone.Contains).Reverse().Select(Line));
        string kept = string.Concat(made.Where(s => !result.Undone.Contains(s)).Select(Line));
        string message = failure.Message
            + (made.Count == 0 ? "\nNo step had been made before it." : string.Empty)
            + (undone.Length > 0 ? "\nTaken back, newest first:" + undone : string.Empty)
            + (kept.Length > 0 ? "\nNOT taken back (still as the command left them):" + kept : string.Empty);
        return new SriovException(failure.Id, message, failure.Target, failure.Remedy, failure);
    }

    private static void Undo(PlanResult result, IHostReport asker, StepContext context)
    {
        for (int i = result.Made.Count - 1; i >= 0; i--)
        {
            var step = result.Made[i];
            if (step.Undo is null)
            {
                asker.Warn($"{step.Target}: {step.Action.Split('\n')[0]} was made and cannot be taken back.");
                continue;
            }

            try
            {
                step.Undo(context);
                result.Undone.Add(step);
                asker.Note($"{step.Target}: {step.Action.Split('\n')[0]}: taken back.");
            }
            catch (SriovException e)
            {
                asker.Fail(e);
            }
        }
    }

    /// <summary>Keeps what undo steps report until the undoing is over; progress still shows.</summary>
    private sealed class HeldAsker(HostReport held, IChangeAsker asker) : IChangeAsker
    {
        public StepAnswer Ask(string target, string action) => asker.Ask(target, action);

        public bool Confirm(string target, string question, string caption) => asker.Confirm(target, question, caption);

        public void Progress(string target, string status, int percent, bool completed) => asker.Progress(target, status, percent, completed);

        public void Note(string note) => held.Note(note);

        public void Warn(string warning) => held.Warn(warning);

        public void Fail(SriovException failure) => held.Fail(failure);
    }
}
