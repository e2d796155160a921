using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;

namespace SriovPS.Tests.Support;

/// <summary>What one script run in a <see cref="ModuleRunspace"/> gave.</summary>
internal sealed record RunspaceResult(
    Collection<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    Exception? Terminating)
{
    /// <summary>Every error, the terminating one included, by its FullyQualifiedErrorId.</summary>
    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId)
        .Concat(Terminating is IContainsErrorRecord { ErrorRecord: { } record } ? [record.FullyQualifiedErrorId] : []);

    public override string ToString() =>
        $"output {Output.Count}, errors [{string.Join("; ", Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}], " +
        $"terminating {Terminating?.GetType().Name}: {Terminating?.Message}";
}

/// <summary>
/// A real PowerShell runspace in this process with the module imported from the test's own build output
/// (its cmdlets, types and formats), where cmdlets bind parameters and pipelines as they do in pwsh.
/// </summary>
internal sealed class ModuleRunspace : IDisposable
{
    private readonly Runspace _runspace;

    /// <param name="host">The host whose user answers prompts (<see cref="AnsweringHost"/>); none by default, where a prompt fails.</param>
    public ModuleRunspace(System.Management.Automation.Host.PSHost? host = null)
    {
        var session = InitialSessionState.CreateDefault2();
        session.ImportPSModule(typeof(global::SriovPS.Commands.SriovCmdlet).Assembly.Location);
        session.Types.Add(new SessionStateTypeEntry(Path.Combine(Repository.ModuleOutput, "SriovPS.Types.ps1xml")));
        session.Formats.Add(new SessionStateFormatEntry(Path.Combine(Repository.ModuleOutput, "SriovPS.Format.ps1xml")));
        _runspace = host is null ? RunspaceFactory.CreateRunspace(session) : RunspaceFactory.CreateRunspace(host, session);
        _runspace.Open();
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>Runs <paramref name="script"/>, collecting its output and errors.</summary>
    public RunspaceResult Invoke(string script)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        Collection<PSObject> output = [];
        Exception? terminating = null;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }

        return new RunspaceResult(
            output,
            shell.Streams.Error.ToList(),
            terminating);
    }

    /// <summary>
    /// The parameters of <paramref name="command"/> that pwsh's binder bound from pipeline objects, read
    /// from its own ParameterBinding trace of <paramref name="script"/>.
    /// </summary>
    public (RunspaceResult Result, IReadOnlyList<string> PipelineBound) InvokeTracingBinding(string script, string command)
    {
        string trace = Path.Combine(Path.GetTempPath(), $"sriovps-binding-{Guid.NewGuid():N}.log");
        try
        {
            SetVariable("SriovPSTracedScript", ScriptBlock.Create(script));
            var result = Invoke($"Trace-Command -Name ParameterBinding -FilePath '{trace}' -Expression {{ . $SriovPSTracedScript }}");
            return (result, PipelineBoundParameters(File.Exists(trace) ? File.ReadAllLines(trace) : [], command));
        }
        finally
        {
            File.Delete(trace);
        }
    }

    // After "BIND PIPELINE object to parameters: [Cmd]", each "BIND arg [...] to param [P] SUCCESSFUL"
    // until the binder moves on (CALLING, another command's pipeline binding) is a pipeline binding.
    private static List<string> PipelineBoundParameters(IEnumerable<string> trace, string command)
    {
        var bound = new List<string>();
        bool inPipelineBinding = false;
        foreach (string line in trace)
        {
            var start = Regex.Match(line, @"BIND PIPELINE object to parameters: \[([^\]]+)\]");
            if (start.Success)
            {
                inPipelineBinding = start.Groups[1].Value == command;
                continue;
            }

            if (line.Contains("CALLING ", StringComparison.Ordinal) || line.Contains("BIND NAMED cmd line args", StringComparison.Ordinal))
            {
                inPipelineBinding = false;
                continue;
            }

            var done = Regex.Match(line, @"BIND arg \[.*\] to param \[([^\]]+)\] SUCCESSFUL");
            if (inPipelineBinding && done.Success && !bound.Contains(done.Groups[1].Value))
            {
                bound.Add(done.Groups[1].Value);
            }
        }

        return bound;
    }

    public void Dispose() => _runspace.Dispose();
}
