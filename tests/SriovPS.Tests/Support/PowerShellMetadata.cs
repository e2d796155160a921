using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using SriovPS.Build;

namespace SriovPS.Tests.Support;

/// <summary>Reads PowerShell's own types from PowerShellStandard's reference assembly, as metadata only.</summary>
internal static class PowerShellMetadata
{
    public static string ReferencePath { get; } = PowerShellReference.Locate(Repository.Root);

    /// <summary>The members of System.Management.Automation.ErrorCategory, name → value.</summary>
    public static IReadOnlyDictionary<string, int> ErrorCategoryMembers()
    {
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll").Append(ReferencePath);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var type = context.LoadFromAssemblyPath(ReferencePath).GetType("System.Management.Automation.ErrorCategory", throwOnError: true)!;
        return type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => Convert.ToInt32(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static IReadOnlyList<CmdletMetadata>? _cmdlets;

    /// <summary>The cmdlets compiled into the laid-out module.</summary>
    public static IReadOnlyList<CmdletMetadata> Cmdlets =>
        _cmdlets ??= CmdletMetadata.Read(Repository.ModuleAssembly, ReferencePath);
}
