using System.Collections;
using System.Management.Automation.Runspaces;
using SriovPS.Hosting;

namespace SriovPS.Commands;

/// <summary>
/// The host a command works on, chosen alike when it runs and while it is typed (completion): its
/// -HostRoot, a PowerShell path (relative, ~, a drive), else $env:SRIOVPS_HOST_ROOT, else this machine.
/// </summary>
internal static class HostRootChoice
{
    /// <param name="hostRoot">The -HostRoot given, or null.</param>
    /// <param name="path">The session's paths, which resolve -HostRoot and a relative variable; null when there is no session.</param>
    /// <exception cref="Errors.SriovException">The root is not a directory, or this is not Linux.</exception>
    internal static HostContext For(string? hostRoot, PathIntrinsics? path)
    {
        return hostRoot is null
            ? HostContext.FromEnvironment(CurrentLocation(path))
            : HostContext.FromRoot(FileSystemPath(path, hostRoot), CurrentLocation(path), "-HostRoot");
    }

    /// <summary>The host of the command being typed, from the -HostRoot typed so far.</summary>
    internal static HostContext ForCompletion(IDictionary fakeBoundParameters)
    {
        PathIntrinsics? path;
        try
        {
            path = Runspace.DefaultRunspace?.SessionStateProxy.Path;
        }
        catch (PSInvalidOperationException)
        {
            path = null;
        }

        return For(fakeBoundParameters["HostRoot"] as string, path);
    }

    // As given when it names no file system path, for the not-found error to quote.
    private static string FileSystemPath(PathIntrinsics? path, string given)
    {
        try
        {
            return path?.GetUnresolvedProviderPathFromPSPath(given, out var provider, out _) is { } resolved
                && provider.Name == "FileSystem" ? resolved : given;
        }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            return given;
        }
    }

    // PowerShell's location, which is not the process's: what a relative $env:SRIOVPS_HOST_ROOT is relative to.
    private static string? CurrentLocation(PathIntrinsics? path)
    {
        try
        {
            return path?.CurrentFileSystemLocation.ProviderPath;
        }
        catch (PSInvalidOperationException)
        {
            return null;
        }
    }
}
