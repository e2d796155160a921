using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SriovPS.Tests.Support;

/// <summary>iproute2's <c>genl</c>: the kernel's own account of generic netlink families, to check ours against.</summary>
internal static partial class GenlCommand
{
    /// <summary>Whether genl is on the PATH.</summary>
    public static bool IsInstalled { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "genl")));

    /// <summary>The id <c>genl ctrl get name NAME</c> reports; <c>null</c> when it finds no such family.</summary>
    public static ushort? FamilyId(string name)
    {
        var (exitCode, output, _) = ExternalProgram.TryRun("genl", null, "ctrl", "get", "name", name);
        if (exitCode != 0)
        {
            return null;
        }

        var match = IdPattern().Match(output);
        return match.Success
            ? ushort.Parse(match.Groups[1].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"genl ctrl get name {name} printed no ID: {output}");
    }

    [GeneratedRegex(@"\bID: 0x([0-9a-fA-F]+)")]
    private static partial Regex IdPattern();
}
