namespace SriovPS.Plans;

/// <summary>The user's answer to a step.</summary>
internal enum StepAnswer
{
    Yes,
    No,

    /// <summary>-WhatIf: shown, not made; the steps that follow it are shown too.</summary>
    WhatIf,
}

/// <summary>Whom a plan asks before each change (a cmdlet: ShouldProcess, ShouldContinue) and reports to.</summary>
internal interface IChangeAsker : IHostReport
{
    /// <exception cref="SriovException">The host cannot ask (ConfirmationUnavailable): no step from this one on is made.</exception>
    StepAnswer Ask(string target, string action);

    /// <summary>A second question about the step on <paramref name="target"/> (ShouldContinue).</summary>
    /// <exception cref="SriovException">The host cannot ask (ConfirmationUnavailable).</exception>
    bool Confirm(string target, string question, string caption);

    void Progress(string target, string status, int percent, bool completed);
}
