using System.ComponentModel;
using System.Diagnostics;
using System.Threading;

namespace SriovPS.Hosting;

/// <summary>
/// A program of the live host run with an argument list (never through a shell): its exit code and its
/// last words, for a repair that must hand a file to the tool that applies it (update-grub, apparmor_parser).
/// </summary>
internal static class HostProgram
{
    /// <summary>The first of <paramref name="candidates"/> (host paths) that exists; <c>null</c> when none does.</summary>
    public static string? Find(Native.Files.HostFileSystem files, params string[] candidates) => candidates.FirstOrDefault(files.Exists);

    /// <summary>Runs <paramref name="program"/> and waits for it; stopping the command kills it.</summary>
    /// <returns>The exit code, and the last lines it wrote (errors first), or why it could not start (exit code -1).</returns>
    public static (int ExitCode, string Said) Run(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output, errors) = Capture(program, arguments, cancellationToken);
        string said = errors + "\n" + output;
        return (exitCode, string.Join(" ", said.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3)));
    }

    /// <summary>Runs <paramref name="program"/> and waits for it, keeping all it wrote; stopping the command kills it.</summary>
    /// <returns>The exit code, its standard output and its standard error; or exit code -1 and why it could not start as the error.</returns>
    public static (int ExitCode, string Output, string Errors) Capture(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            return (-1, "", $"it could not be started: {e.Message}");
        }

        if (process is null)
        {
            return (-1, "", "it could not be started");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
        }
    }
}
