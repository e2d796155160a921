using System.IO;
using SriovPS.Consumers;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Native.Files;
using SriovPS.VfCount;

namespace SriovPS.Snapshot;

/// <summary>
/// Save-SriovHostSnapshot's reading of a host: its files (<see cref="SnapshotFiles"/>), and on the live
/// host what netlink, devlink, /proc and libvirt say, with whatever could not be read and why. Reading
/// changes nothing; <see cref="Parts"/> lists what would be kept (-WhatIf), <see cref="Write"/> keeps it.
/// </summary>
internal sealed class HostSnapshotCapture
{
    private readonly HostContext _host;
    private readonly List<SriovPf> _pfs;
    private readonly string? _uri;
    private readonly LibvirtInventory? _inventory;

    private HostSnapshotCapture(HostContext host, SnapshotFiles files, List<SriovPf> pfs, SavedKernel? kernel, string? uri, LibvirtInventory? inventory, List<string> unread)
    {
        _host = host;
        Files = files;
        _pfs = pfs;
        Kernel = kernel;
        _uri = uri;
        _inventory = inventory;
        Unread = unread;
    }

    public SnapshotFiles Files { get; }

    public SavedKernel? Kernel { get; }

    /// <summary>What could not be read, each with why.</summary>
    public List<string> Unread { get; }

    /// <summary>Why libvirt could not be read, when it could not.</summary>
    private string? LibvirtUnread { get; init; }

    /// <summary>Open vSwitch as ovs-vsctl reported it; <c>null</c> when it is not installed, or on a copied tree.</summary>
    private OvsFacts? Ovs { get; init; }

    /// <summary>Reads the host of <paramref name="session"/>, and its libvirt at <paramref name="uri"/> when it is the live host.</summary>
    /// <exception cref="SriovException">SnapshotReadOnly: the host is itself a snapshot.</exception>
    public static HostSnapshotCapture Take(HostSession session, string uri)
    {
        var host = session.Host;
        if (host.Snapshot is { } snapshot)
        {
            throw new SriovException(
                ErrorCatalog.SnapshotReadOnly,
                $"'{snapshot.Source}' is already a snapshot ({snapshot.Description}); a snapshot is taken of a running host or a copied host tree.",
                snapshot.Source,
                "Copy the snapshot's file or directory to keep it elsewhere.");
        }

        var unread = new List<string>();
        var report = new RecordingReport(session.Report, unread);
        using var reading = new HostSession(host, report, session.Cancellation, readsPfKernelState: true);
        var files = SnapshotFiles.Capture(host.Files);
        unread.AddRange(files.Unreadable);
        var pfs = reading.AllPfs(includeNotCapable: true);
        if (!host.IsLiveHost)
        {
            unread.Add($"the kernel (netlink, devlink, /proc) and libvirt: '{host.Root}' is a copied host tree, not a running host");
            return new HostSnapshotCapture(host, files, pfs, null, null, null, unread);
        }

        var kernel = ReadKernel(reading, pfs);
        if (!Environment.IsPrivilegedProcess)
        {
            unread.Add("VF holders in other users' processes: only root can read every /proc/PID/fd");
        }

        LibvirtInventory? inventory = null;
        string? libvirtUnread = null;
        try
        {
            inventory = LibvirtHost.Connect(uri).ReadInventory();
        }
        catch (SriovException e)
        {
            libvirtUnread = e.Message.TrimEnd('.');
            unread.Add($"libvirt ({uri}): {libvirtUnread}");
        }

        // Asked only where it is installed: a host without Open vSwitch has nothing of it to keep. A database
        // that does not answer is kept as such (Open vSwitch installed but not running is the host's state, judged
        // from the snapshot as on the host), not listed as unread.
        OvsFacts? ovs = HostProgram.Find(host.Files, OvsFacts.VsctlPaths) is null ? null : OvsFacts.Read(host.Files, session.Cancellation);

        return new HostSnapshotCapture(host, files, pfs, kernel, uri, inventory, unread) { LibvirtUnread = libvirtUnread, Ovs = ovs };
    }

    /// <summary>What would be kept, a line each: the file groups, each PF's kernel state, the holders, libvirt.</summary>
    public List<string> Parts()
    {
        var parts = Files.Groups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Value} {(g.Value == 1 ? "entry" : "entries")}")).ToList();
        if (Files.Redactions.Count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Files.Redactions.Count} {(Files.Redactions.Count == 1 ? "secret" : "secrets")} left on the host, replaced by {SecretRedaction.Marker}: {string.Join("; ", Files.Redactions)}"));
        }

        foreach (var (name, link) in Kernel?.Links.OrderBy(l => l.Key, StringComparer.Ordinal) ?? Enumerable.Empty<KeyValuePair<string, Native.Netlink.LinkInfo>>())
        {
            parts.Add(link.Vfs.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"netlink's account of {name} and its {link.Vfs.Count} VFs (MAC, VLAN, QoS, spoof check, trust, link state, rates, counters)")
                : $"netlink's account of {name} (state, MTU, addresses)");
        }

        foreach (var (pf, mode) in Kernel?.EswitchModes ?? [])
        {
            parts.Add($"devlink's eswitch mode of {pf}: {(mode == EswitchMode.Switchdev ? "switchdev" : "legacy")}");
        }

        foreach (var (name, state) in Kernel?.HwTcOffload.OrderBy(f => f.Key, StringComparer.Ordinal) ?? Enumerable.Empty<KeyValuePair<string, NetdevFeatureState>>())
        {
            parts.Add($"hw-tc-offload of {name}: {(state.Active ? "on" : "off")}{(state.Changeable ? string.Empty : " [fixed]")}");
        }

        foreach (var (pf, holder) in Kernel?.Holders ?? [])
        {
            parts.Add($"a holder of a VF of {pf}: {holder}");
        }

        if (_inventory is { } inventory)
        {
            var pools = inventory.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var guests = inventory.SriovGuests.Select(g => g.Name).ToList();
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"libvirt at {_uri}: the XML of SR-IOV networks ({List(pools)}) and of guests with SR-IOV interfaces ({List(guests)}); only the names of " +
                $"other networks ({inventory.NetworkNames.Count - pools.Count}) and other guests ({inventory.Guests.Count - guests.Count})"));
        }

        if (Ovs is { Failure: null } ovs)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"Open vSwitch: ovs-vswitchd {(ovs.VswitchdRunning ? "running" : "not running")}, other_config {List(SavedOvs.KeptKeys.Where(ovs.OtherConfig.ContainsKey))} " +
                $"(other keys not kept), bridges and their ports' names ({List(ovs.Bridges)})"));
        }
        else if (Ovs?.Failure is { } failure)
        {
            parts.Add($"Open vSwitch: installed, its database not answering ({failure.TrimEnd('.')})");
        }

        return parts;
    }

    /// <summary>Writes the snapshot to <paramref name="path"/>: a directory, or an archive when it ends in .tar.gz or .tgz.</summary>
    /// <param name="replace">Whether an existing snapshot (or file) there may be replaced.</param>
    /// <exception cref="SriovException">SnapshotPathExists: something is there and may not be replaced; SnapshotNotWritten: writing failed (nothing is left half-written).</exception>
    public SriovHostSnapshot Write(string path, bool replace)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        bool archive = SnapshotStore.IsArchiveName(path);
        CheckTarget(path, replace);
        var manifest = Manifest();
        string staging = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.partial-{Guid.NewGuid():N}");
        try
        {
            // Readable by its owner only: it describes the host's network in detail.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(staging);
            }
            else
            {
                Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            WriteFiles(staging, manifest);
            if (archive)
            {
                string packed = staging + ".tar.gz";
                SnapshotStore.Pack(staging, packed);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(packed, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                File.Move(packed, path, overwrite: replace);
                manifest.Size = new FileInfo(path).Length;
            }
            else
            {
                MoveIntoPlace(staging, path);
                manifest.Size = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SriovException(ErrorCatalog.SnapshotNotWritten, $"The snapshot could not be written to '{path}': {e.Message}", path, null, e);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            File.Delete(staging + ".tar.gz");
        }

        manifest.Path = path;
        return manifest;
    }

    private static void CheckTarget(string path, bool replace)
    {
        bool directory = Directory.Exists(path);
        bool archive = SnapshotStore.IsArchiveName(path);
        if ((!directory && !File.Exists(path)) || (directory && !archive && !Directory.EnumerateFileSystemEntries(path).Any()))
        {
            return;
        }

        // Only what holds a snapshot and nothing else is replaced, and only by a snapshot of the same form.
        bool own = SnapshotStore.IsOwnSnapshot(path);
        if (replace && own && directory != archive)
        {
            return;
        }

        throw new SriovException(
            ErrorCatalog.SnapshotPathExists,
            !own ? $"'{path}' is a {(directory ? "directory" : "file")} that is not a snapshot, or holds more than one; a snapshot is never written over other files."
            : directory == archive ? $"'{path}' is a snapshot {(directory ? "directory" : "archive")}, and -Path asks for {(archive ? "an archive" : "a directory")}."
            : $"'{path}' exists: a snapshot is there already.",
            path,
            own && directory != archive ? "Give a new path, or add -Force to replace it." : "Give a new path.");
    }

    /// <summary>
    /// Puts the directory snapshot <paramref name="staging"/> at <paramref name="path"/>: into an empty
    /// directory, or in place of the snapshot there, which is kept aside until the new one is in place.
    /// </summary>
    private static void MoveIntoPlace(string staging, string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.Move(staging, path);
            return;
        }

        if (!Directory.EnumerateFileSystemEntries(path).Any())
        {
            Directory.Delete(path);
            Directory.Move(staging, path);
            return;
        }

        string aside = $"{path}.replaced-{Guid.NewGuid():N}";
        Directory.Move(path, aside);
        try
        {
            Directory.Move(staging, path);
        }
        catch
        {
            Directory.Move(aside, path);
            throw;
        }

        Directory.Delete(aside, recursive: true);
    }

    private SriovHostSnapshot Manifest()
    {
        var pools = _inventory?.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        return new SriovHostSnapshot
        {
            HostName = _host.HostName,
            TakenAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            KernelRelease = _host.Files.ReadAttribute("/proc/sys/kernel/osrelease")?.Trim(),
            ModuleVersion = typeof(SriovHostSnapshot).Assembly.GetName().Version?.ToString(3),
            LibvirtUri = _uri,
            LibvirtUnread = LibvirtUnread,
            KernelRead = Kernel is not null,
            Pfs = _pfs.Where(p => p.TotalVfs > 0).Select(p => p.Name ?? p.PciAddress).ToArray(),
            Networks = [.. pools],
            Guests = _inventory?.SriovGuests.Select(g => g.Name).ToArray() ?? [],
            Files = Files.Entries.Count,
            Unread = [.. Unread],
            Redacted = [.. Files.Redactions],
        };
    }

    private void WriteFiles(string directory, SriovHostSnapshot manifest)
    {
        Kernel?.Write(Path.Combine(directory, SavedKernel.FileName));
        if (Ovs is not null)
        {
            SavedOvs.Write(Path.Combine(directory, SavedOvs.FileName), Ovs);
        }

        var redactions = new List<SriovRedaction>(Files.Redactions);
        if (_inventory is not null)
        {
            SavedLibvirt.Write(directory, _uri!, _inventory, redactions);
        }

        manifest.Redacted = [.. redactions];
        manifest.Write(directory);
        File.WriteAllText(Path.Combine(directory, SnapshotStore.TreeFile), HostTreeManifest.Format(Files.Entries,
        [
            $"The files of {manifest.HostName ?? _host.Root} that SriovPS reads, taken by Save-SriovHostSnapshot at {manifest.TakenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.",
            $"Secrets in network configuration are replaced by {SecretRedaction.Marker}; snapshot.json lists where.",
        ]));
    }

    private static SavedKernel ReadKernel(HostSession session, List<SriovPf> pfs)
    {
        var kernel = new SavedKernel();
        var links = session.KernelLinks!;
        foreach (var pf in pfs)
        {
            if (pf.Name is { } name && (pf.TotalVfs > 0 ? links.ReadWithVfs(name, statistics: true) : links.Read(name)) is { } link)
            {
                kernel.Links[name] = link;
                if (links.ReadAddresses(name) is { } addresses)
                {
                    kernel.Addresses[name] = addresses;
                }
            }

            if (pf.EswitchMode is { } mode)
            {
                kernel.EswitchModes[pf.PciAddress] = mode;
            }

            SaveHwTcOffload(session, kernel, pf);

            if (pf.NumVfs > 0)
            {
                foreach (var holder in new VfHolderScan(session.Files).Find(session.VfsOf(pf)))
                {
                    // The program, not its arguments: a command line may carry secrets (QEMU's -object secret,data=…).
                    kernel.Holders.Add(new SavedHolder(pf.PciAddress, holder with { CommandLine = holder.CommandLine?.Split(' ', 2)[0] }));
                }
            }
        }

        return kernel;
    }

    /// <summary>hw-tc-offload of the PF's interface and, in switchdev mode, of its VFs' representors.</summary>
    private static void SaveHwTcOffload(HostSession session, SavedKernel kernel, SriovPf pf)
    {
        if (pf.Name is not { } name || session.NetdevFeatures is not { } features)
        {
            return;
        }

        var names = new List<string> { name };
        if (pf.EswitchMode == EswitchMode.Switchdev)
        {
            names.AddRange(Representors.Of(session.Files, name).Select(r => r.Name));
        }

        foreach (string interfaceName in names)
        {
            if (features.ReadHwTcOffload(interfaceName) is { } state)
            {
                kernel.HwTcOffload[interfaceName] = state;
            }
        }
    }

    private static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";

    /// <summary>Passes notes on, and keeps warnings and failures as what could not be read, which the command then says at once.</summary>
    private sealed class RecordingReport(IHostReport inner, List<string> unread) : IHostReport
    {
        public void Note(string note) => inner.Note(note);

        public void Warn(string warning) => unread.Add(warning.TrimEnd('.'));

        public void Fail(SriovException failure) => unread.Add(failure.Message.TrimEnd('.'));
    }
}
