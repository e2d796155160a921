using System;
using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using SriovPS.Host;

namespace SriovPS.Completion;

/// <summary>The host the command being typed would work on: its -HostRoot if typed yet, else $env:SRIOVPS_HOST_ROOT.</summary>
internal static class CompletionHost
{
    /// <exception cref="Errors.SriovException">The root is not a directory, or this is not Linux.</exception>
    internal static HostContext Of(IDictionary fakeBoundParameters)
    {
        string? root = fakeBoundParameters["HostRoot"] is string typed
            ? FileSystemPath(typed)
            : Environment.GetEnvironmentVariable(HostContext.RootVariable);
        return HostContext.FromRoot(root, CurrentLocation());
    }

    // -HostRoot is a PowerShell path (~, TestDrive:), as in the cmdlets.
    private static string FileSystemPath(string path)
    {
        try
        {
            return Runspace.DefaultRunspace?.SessionStateProxy.Path.GetUnresolvedProviderPathFromPSPath(path) ?? path;
        }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            return path;
        }
    }

    // A relative root is relative to PowerShell's location, as in the cmdlets.
    private static string? CurrentLocation()
    {
        try
        {
            return Runspace.DefaultRunspace?.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath;
        }
        catch (PSInvalidOperationException)
        {
            return null;
        }
    }
}
