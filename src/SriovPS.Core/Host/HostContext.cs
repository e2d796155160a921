using System;
using System.IO;
using System.Runtime.InteropServices;
using SriovPS.Errors;
using SriovPS.Native.Sysfs;

namespace SriovPS.Host;

/// <summary>
/// The host a command works on, chosen when the command starts: the live host, or a copied host
/// tree named by <c>SRIOVPS_HOST_ROOT</c>. Read per command, not per session, so a session can
/// switch between hosts by setting the variable.
/// </summary>
public sealed class HostContext
{
    /// <summary>The environment variable that points the module at a copied host tree.</summary>
    public const string RootVariable = "SRIOVPS_HOST_ROOT";

    private HostContext(HostFileSystem files) => Files = files;

    /// <summary>The directory that stands for the host's <c>/</c>.</summary>
    public string Root => Files.Root;

    /// <summary>False when reading a copied tree: then netlink and libvirt, which only see the live host, are left alone.</summary>
    public bool IsLiveHost => Files.IsLiveHost;

    internal HostFileSystem Files { get; }

    /// <summary>The host named by <c>SRIOVPS_HOST_ROOT</c> now, or the live host when it is unset or empty.</summary>
    /// <param name="workingDirectory">
    /// What a relative root is relative to: PowerShell's current location, which is not the process's.
    /// </param>
    /// <exception cref="SriovObjectNotFoundException">The variable names a directory that does not exist.</exception>
    /// <exception cref="SriovNotImplementedException">No host root is set and this is not Linux.</exception>
    public static HostContext FromEnvironment(string? workingDirectory = null) =>
        FromRoot(Environment.GetEnvironmentVariable(RootVariable), workingDirectory);

    public static HostContext FromRoot(string? root, string? workingDirectory = null)
    {
        if (string.IsNullOrEmpty(root) || root == "/")
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                throw new SriovNotImplementedException(
                    ErrorCatalog.PlatformNotSupported,
                    $"SR-IOV is managed through Linux sysfs, netlink and libvirt; this is {RuntimeInformation.OSDescription}.",
                    remedy: $"Run on a Linux host, or set ${RootVariable} to a copied Linux host tree.");
            }

            return new HostContext(new HostFileSystem("/"));
        }

        if (workingDirectory is not null && !Path.IsPathRooted(root))
        {
            root = Path.Combine(workingDirectory, root);
        }

        if (!Directory.Exists(root))
        {
            throw new SriovObjectNotFoundException(
                ErrorCatalog.HostRootNotFound,
                $"The host root '{root}' named by {RootVariable} is not a directory.",
                root,
                $"Point {RootVariable} at a copied host tree, or remove it to work on this host.");
        }

        return new HostContext(new HostFileSystem(root));
    }
}
