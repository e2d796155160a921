using System.IO;
using SriovPS.Kernel;
using SriovPS.Libvirt;

namespace SriovPS.Snapshot;

/// <summary>
/// A snapshot opened as a host: its files materialized (<see cref="TreeRoot"/>), and what the kernel and
/// libvirt said when it was taken, which the session serves in place of netlink, devlink and libvirt.
/// </summary>
internal sealed class HostSnapshot
{
    private readonly string _files;
    private (string Uri, LibvirtInventory Inventory)? _libvirt;
    private Consumers.OvsFacts? _ovs;

    private HostSnapshot(string source, string files, string treeRoot, SriovHostSnapshot manifest, SavedKernel? kernel)
    {
        Source = source;
        _files = files;
        TreeRoot = treeRoot;
        Manifest = manifest;
        Kernel = kernel;
    }

    /// <summary>The snapshot as the user named it (archive or directory).</summary>
    public string Source { get; }

    /// <summary>The directory standing for the snapshot host's <c>/</c>.</summary>
    public string TreeRoot { get; }

    public SriovHostSnapshot Manifest { get; }

    /// <summary>What netlink and devlink said; <c>null</c> when they were not read.</summary>
    public SavedKernel? Kernel { get; }

    /// <summary>Whether libvirt was read when the snapshot was taken.</summary>
    public bool HasLibvirt => Manifest.LibvirtRead && SavedLibvirt.Exists(_files);

    /// <summary>How a warning names it: "the snapshot of node01 taken 2026-12-06 19:30:00Z (Linux 6.12.0)".</summary>
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"the snapshot of {Manifest.HostName ?? "an unnamed host"} taken {Manifest.TakenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z{(Manifest.KernelRelease is { } release ? $" (Linux {release})" : "")}");

    /// <summary>Opens the snapshot at <paramref name="path"/>, unpacking it into the cache the first time.</summary>
    /// <exception cref="SriovException">SnapshotUnreadable: it is damaged, of a later format, or the cache cannot be written.</exception>
    public static HostSnapshot Open(string path)
    {
        try
        {
            string entry = SnapshotStore.Unpack(path);
            string files = File.Exists(path) ? entry : path;
            var manifest = SriovHostSnapshot.Read(files);
            manifest.Path = path;
            string kernel = Path.Combine(files, SavedKernel.FileName);
            return new HostSnapshot(path, files, Path.Combine(entry, SnapshotStore.TreeDirectory), manifest,
                manifest.KernelRead && File.Exists(kernel) ? SavedKernel.Read(kernel) : null);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new SriovException(
                ErrorCatalog.SnapshotUnreadable,
                $"'{path}' could not be read as a host snapshot: {e.Message}",
                path,
                "Save the snapshot again with Save-SriovHostSnapshot, or check that the copy is whole (its size, its checksum).",
                e);
        }
    }

    /// <summary>The libvirt URI and inventory of the snapshot; null when it holds none.</summary>
    /// <exception cref="SriovException">SnapshotUnreadable: its libvirt files are damaged.</exception>
    public (string Uri, LibvirtInventory Inventory)? Libvirt()
    {
        if (_libvirt is null && HasLibvirt)
        {
            try
            {
                _libvirt = SavedLibvirt.Read(_files);
            }
            catch (FormatException e)
            {
                throw new SriovException(ErrorCatalog.SnapshotUnreadable, $"The libvirt part of '{Source}' could not be read: {e.Message}", Source, null, e);
            }
        }

        return _libvirt;
    }

    /// <summary>Why libvirt is not in the snapshot, as its manifest says.</summary>
    public string LibvirtMissing => Manifest.LibvirtUnread is { } why ? $"libvirt ({Manifest.LibvirtUri}): {why}"
        : Manifest.LibvirtUri is null ? "it was taken of a copied host tree, where libvirt is not asked"
        : "its libvirt files are missing";

    /// <summary>The failure of a command that needs libvirt, on a snapshot that holds none.</summary>
    /// <param name="remedy">What to do; without it, what fixes the host's libvirt is said by the caller.</param>
    public SriovException NoLibvirt(string? remedy = null) => new(
        ErrorCatalog.LibvirtConnectionFailed, $"{Description} holds no libvirt: {LibvirtMissing}", Source, remedy);

    /// <summary>The links netlink gave, as a reader of them.</summary>
    public KernelLinks? Links(IHostReport report) => Kernel is { } kernel ? new KernelLinks(kernel, report) : null;

    /// <summary>The offload features saved with the kernel's answers; an interface not saved reads as not known.</summary>
    public NetdevFeatures? Features() => Kernel is { } kernel ? new NetdevFeatures(kernel.HwTcOffload) : null;

    /// <summary>Open vSwitch as it was when the snapshot was taken; <c>null</c> when it was not read.</summary>
    /// <exception cref="SriovException">SnapshotUnreadable: its ovs.json is damaged.</exception>
    public Consumers.OvsFacts? Ovs()
    {
        string path = Path.Combine(_files, SavedOvs.FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return _ovs ??= SavedOvs.Read(path);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new SriovException(ErrorCatalog.SnapshotUnreadable, $"The Open vSwitch part of '{Source}' could not be read: {e.Message}", Source, null, e);
        }
    }

    /// <summary>The eswitch modes devlink gave, as a reader of them.</summary>
    public EswitchModes? Eswitch() => Kernel is { } kernel ? new EswitchModes(kernel.EswitchModes) : null;
}
