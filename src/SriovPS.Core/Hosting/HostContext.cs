using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using SriovPS.Native.Files;
using SriovPS.Snapshot;

namespace SriovPS.Hosting;

/// <summary>
/// The host a command works on, chosen when the command starts: the live host, a copied host tree, or
/// a snapshot (Save-SriovHostSnapshot), named by the command's -HostRoot or, without it, by
/// <c>SRIOVPS_HOST_ROOT</c>. Chosen per command, so commands running side by side
/// (ForEach-Object -Parallel) each keep their own host.
/// </summary>
internal sealed class HostContext
{
    /// <summary>The environment variable that points the module at a copied host tree or a snapshot.</summary>
    public const string RootVariable = "SRIOVPS_HOST_ROOT";

    private HostContext(HostFileSystem files, HostSnapshot? snapshot = null)
    {
        Files = files;
        Snapshot = snapshot;
    }

    /// <summary>The directory that stands for the host's <c>/</c>.</summary>
    public string Root => Files.Root;

    /// <summary>The snapshot this host is, when it is one: it serves what the kernel and libvirt said when it was taken.</summary>
    public HostSnapshot? Snapshot { get; }

    /// <summary>The host as messages name it: its root, or the snapshot as the user named it.</summary>
    public string Location => Snapshot?.Source ?? Root;

    /// <summary>False when reading a copied tree: then netlink and libvirt, which only see the live host, are left alone.</summary>
    public bool IsLiveHost => Files.IsLiveHost;

    internal HostFileSystem Files { get; }

    /// <summary>
    /// The host's name: this machine's, or for a copied tree the one in its <c>/etc/hostname</c>
    /// (null when the tree has none). Objects from remoting carry theirs in PSComputerName.
    /// </summary>
    public string? HostName => (_hostName ??= new Lazy<string?>(ReadHostName)).Value;

    // Read once per command, however many objects piped in carry a PSComputerName.
    private Lazy<string?>? _hostName;

    private string? ReadHostName()
    {
        if (IsLiveHost)
        {
            return Environment.MachineName;
        }

        if (Snapshot?.Manifest.HostName is { Length: > 0 } taken)
        {
            return taken;
        }

        string? name = Files.ReadAttribute("/etc/hostname")?.Split('\n', 2)[0].Trim();
        return string.IsNullOrEmpty(name) ? null : name;
    }

    /// <summary>
    /// Whether <paramref name="computerName"/> (an object's PSComputerName) names this host: its name,
    /// short or fully qualified, in any case, or a name for the local machine.
    /// </summary>
    public bool IsNamed(string computerName)
    {
        string name = computerName.Trim();
        if (IsLiveHost && name is "localhost" or "." or "127.0.0.1" or "::1")
        {
            return true;
        }

        return HostName is { } own && SameMachine(own, name);
    }

    /// <summary>
    /// Whether two host names name one machine, in any case: both fully qualified, they must be equal
    /// (node01.dc1 is not node01.dc2); when either has no domain, the short names are compared.
    /// </summary>
    public static bool SameMachine(string name, string other)
    {
        name = name.Trim().TrimEnd('.');
        other = other.Trim().TrimEnd('.');
        bool qualified = IsQualified(name) && IsQualified(other);
        return qualified
            ? name.Equals(other, StringComparison.OrdinalIgnoreCase)
            : ShortName(name).Equals(ShortName(other), StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsQualified(string name) => name.Contains('.') && !IPAddress.TryParse(name, out _);

    private static string ShortName(string name) => IPAddress.TryParse(name, out _) ? name : name.Split('.', 2)[0];

    /// <summary>The host named by <c>SRIOVPS_HOST_ROOT</c> now, or the live host when it is unset or empty.</summary>
    /// <param name="workingDirectory">
    /// What a relative root is relative to: PowerShell's current location, which is not the process's.
    /// </param>
    /// <exception cref="SriovException">The variable names a directory that does not exist.</exception>
    /// <exception cref="SriovException">No host root is set and this is not Linux.</exception>
    public static HostContext FromEnvironment(string? workingDirectory = null) =>
        FromRoot(Environment.GetEnvironmentVariable(RootVariable), workingDirectory);

    /// <summary>The host at <paramref name="root"/>; null or empty is the live host.</summary>
    /// <param name="namedBy">What named the root, for the error when it is not a directory.</param>
    public static HostContext FromRoot(string? root, string? workingDirectory = null, string namedBy = RootVariable)
    {
        if (string.IsNullOrEmpty(root) || root == "/")
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                throw new SriovException(
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

        // A file can only be meant as a snapshot's archive: one that is not is unreadable, not missing.
        if (File.Exists(root) || SnapshotStore.IsSnapshot(root))
        {
            var snapshot = HostSnapshot.Open(root);
            return new HostContext(new HostFileSystem(snapshot.TreeRoot), snapshot);
        }

        if (!Directory.Exists(root))
        {
            throw new SriovException(
                ErrorCatalog.HostRootNotFound,
                $"The host root '{root}' named by {namedBy} is not a directory.",
                root,
                $"Point {namedBy} at a copied host tree or a snapshot from Save-SriovHostSnapshot, or leave it out to work on this host.");
        }

        return new HostContext(new HostFileSystem(root));
    }
}
