using System.Diagnostics;

namespace SriovPS.Tests.Support;

/// <summary>Runs a program with an argument list (never a shell string) and collects what it printed.</summary>
internal static class ExternalProgram
{
    public static (int ExitCode, string Output, string Error) TryRun(string program, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>Runs the program and returns its output; throws with its own message when it fails.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(program, null, arguments);
        return exitCode == 0
            ? output
            : throw new System.InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error.Trim()}");
    }
}
