using System;
using System.Collections.Generic;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Hosting;

namespace SriovPS.Plans;

/// <summary>
/// One change of a repair, asked about on its own (ShouldProcess(<see cref="Target"/>, <see cref="Action"/>)):
/// a file written, a program run, a link brought up. <see cref="Wanted"/> is asked first, so a step
/// that only follows another (regenerating GRUB's configuration) is skipped when that one was declined.
/// </summary>
internal sealed class HostRepairStep(
    string target, string action, Func<CancellationToken, SriovHostChange?> apply, Func<bool>? wanted = null, Action? made = null)
{
    public string Target { get; } = target;

    /// <summary>What the step does; for a file, what changes and the exact lines before and after.</summary>
    public string Action { get; } = action;

    public bool Wanted => wanted?.Invoke() ?? true;

    /// <summary>Makes the change; returns the file changed, or <c>null</c> for a change of the running host.</summary>
    /// <exception cref="SriovException">It failed; what was done before it stays.</exception>
    public SriovHostChange? Apply(CancellationToken cancellationToken)
    {
        var change = apply(cancellationToken);
        made?.Invoke();
        return change;
    }

    /// <summary>-WhatIf showed the step as done: the steps that follow it are shown too.</summary>
    public void Assume() => made?.Invoke();
}

/// <summary>The steps of one or more repairs, with what a command says about them.</summary>
internal sealed class HostRepairPlan
{
    public List<HostRepairStep> Steps { get; } = [];

    /// <summary>Files that already say what was asked.</summary>
    public List<SriovHostChange> Unchanged { get; } = [];

    /// <summary>For -Verbose.</summary>
    public List<string> Notes { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Parts that cannot be done (reported as errors); the other steps stand.</summary>
    public List<SriovException> Problems { get; } = [];

    public void Add(HostRepairPlan other)
    {
        Steps.AddRange(other.Steps);
        Unchanged.AddRange(other.Unchanged);
        Notes.AddRange(other.Notes);
        Warnings.AddRange(other.Warnings);
        Problems.AddRange(other.Problems);
    }

    /// <summary>A step that writes <paramref name="edit"/>, or the file's report when it already says so.</summary>
    public HostRepairStep? AddEdit(HostFileEdit? edit, Action? committed = null)
    {
        if (edit is null)
        {
            return null;
        }

        if (!edit.Changes)
        {
            Unchanged.Add(edit.Report());
            return null;
        }

        var step = new HostRepairStep(edit.File.HostPath, edit.Action, _ => edit.Commit(), made: committed);
        Steps.Add(step);
        return step;
    }
}
