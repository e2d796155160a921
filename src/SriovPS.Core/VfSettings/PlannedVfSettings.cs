using SriovPS.Plans;

namespace SriovPS.VfSettings;

/// <summary>One VF's settings change as planned, and the VF to read back once it is made (-PassThru).</summary>
internal sealed class PlannedVfSettings
{
    private readonly HostSession? _session;
    private readonly SriovPf? _pf;
    private readonly int _index;
    private readonly VfSettingsStep? _step;

    /// <param name="step">The change to make; <c>null</c> when the VF already has what was asked.</param>
    internal PlannedVfSettings(HostSession session, SriovPf pf, int index, ChangePlan plan, VfSettingsStep? step)
    {
        _session = session;
        _pf = pf;
        _index = index;
        Plan = plan;
        _step = step;
    }

    private PlannedVfSettings(ChangePlan plan) => Plan = plan;

    /// <summary>The VF as it was planned; <c>null</c> when it was refused before it was read.</summary>
    internal SriovVf? Vf { get; init; }

    /// <summary>The administrative MAC sent to the VF (all zeros: cleared), or <c>null</c> when none was asked.</summary>
    internal byte[]? MacAddress { get; init; }

    /// <summary>The VF's step, or none with the reason in the plan's report.</summary>
    public ChangePlan Plan { get; }

    /// <summary>A VF refused before anything is asked: <paramref name="refusal"/> is reported when the plan runs.</summary>
    internal static PlannedVfSettings Refused(SriovException refusal)
    {
        var plan = new ChangePlan();
        plan.Report.Fail(refusal);
        return new PlannedVfSettings(plan);
    }

    /// <summary>Whether the VF has what was asked after <paramref name="result"/>: it had it already, or its step was made (or shown, under -WhatIf).</summary>
    internal bool Reached(PlanResult result) =>
        Vf is not null && (_step is null || result.WasMade(_step.Step) || result.WasShown(_step.Step));

    /// <summary>
    /// The VF as the kernel reports it now, when it needed no change or the change reached it (even
    /// with some attributes refused); <c>null</c> when it was refused, declined, only shown (-WhatIf),
    /// or failed before the kernel changed it.
    /// </summary>
    internal SriovVf? ReadBack(PlanResult result)
    {
        if (_session is null || _pf is null)
        {
            return null;
        }

        if (_step is not null && !result.WasMade(_step.Step) && !_step.FailedOnlyByRefusals)
        {
            return null;
        }

        return _session.VfsOf(_pf).Find(v => v.Index == _index);
    }
}
