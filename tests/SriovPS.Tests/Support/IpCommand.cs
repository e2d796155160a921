using System.Linq;
using System.Text.Json;

namespace SriovPS.Tests.Support;

/// <summary>iproute2's <c>ip</c>, run with an argument list: the kernel's account of links, to check the module against.</summary>
internal static class IpCommand
{
    /// <summary>Whether ip is on the PATH.</summary>
    public static bool IsInstalled { get; } =
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', System.StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => System.IO.File.Exists(System.IO.Path.Combine(directory, "ip")));

    /// <summary>Runs ip and returns what it printed; throws with ip's own message when it fails.</summary>
    public static string Run(params string[] arguments) => ExternalProgram.Run("ip", arguments);

    public static (int ExitCode, string Output, string Error) TryRun(params string[] arguments) => ExternalProgram.TryRun("ip", null, arguments);

    /// <summary>Runs ip with <paramref name="input"/> on its standard input (for <c>ip -batch -</c>).</summary>
    public static (int ExitCode, string Output, string Error) TryRunWithInput(string input, params string[] arguments) =>
        ExternalProgram.TryRun("ip", input, arguments);

    /// <summary><c>ip -j [-d] link show [dev NAME]</c>, parsed.</summary>
    public static JsonElement Links(bool details = false, string? device = null)
    {
        var arguments = new System.Collections.Generic.List<string> { "-j" };
        if (details)
        {
            arguments.Add("-d");
        }

        arguments.AddRange(["link", "show"]);
        if (device is not null)
        {
            arguments.AddRange(["dev", device]);
        }

        return JsonDocument.Parse(Run([.. arguments])).RootElement.Clone();
    }
}
