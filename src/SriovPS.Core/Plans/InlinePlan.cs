namespace SriovPS.Plans;

/// <summary>
/// Makes, inside one step of a larger plan, the steps a planner works out only when that step is made:
/// the drivers of VFs that an earlier step created, a pool over them. The outer step was asked about;
/// these are not asked again. What they make is taken back together, newest first.
/// </summary>
internal static class InlinePlan
{
    /// <summary>Makes <paramref name="plan"/>'s steps in order; returns the undo of all of them.</summary>
    /// <exception cref="SriovException">
    /// The planner refused something (its first refusal), or a step failed: what the steps before it made is
    /// taken back first, so the outer step fails having changed nothing.
    /// </exception>
    public static Action<StepContext> Make(ChangePlan plan, StepContext context)
    {
        plan.Report.Notes.ForEach(context.Report.Note);
        plan.Report.Warnings.ForEach(context.Report.Warn);
        if (plan.Report.Failures.Count > 0)
        {
            for (int i = 1; i < plan.Report.Failures.Count; i++)
            {
                context.Report.Fail(plan.Report.Failures[i]);
            }

            throw plan.Report.Failures[0];
        }

        var made = new List<PlanStep>();
        foreach (var step in plan.Steps)
        {
            if (step.After.Count > 0 && !step.After.Any(made.Contains))
            {
                continue;
            }

            try
            {
                using var prepared = step.Prepare?.Invoke();
                step.Apply(context.With(prepared));
                made.Add(step);
                context.Report.Note($"{step.Target}: {step.Action.Split('\n')[0]}: done.");
            }
            catch (SriovException)
            {
                TakeBack(made, context);
                throw;
            }
        }

        return undoContext => TakeBack(made, undoContext);
    }

    private static void TakeBack(List<PlanStep> made, StepContext context)
    {
        for (int i = made.Count - 1; i >= 0; i--)
        {
            var step = made[i];
            if (step.Undo is null)
            {
                context.Report.Warn($"{step.Target}: {step.Action.Split('\n')[0]} was made and cannot be taken back.");
                continue;
            }

            try
            {
                step.Undo(context);
                context.Report.Note($"{step.Target}: {step.Action.Split('\n')[0]}: taken back.");
            }
            catch (SriovException e)
            {
                context.Report.Fail(e);
            }
        }

        made.Clear();
    }
}
