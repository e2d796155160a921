using SriovPS.Discovery;
using SriovPS.Native.Files;

namespace SriovPS.Snapshot;

/// <summary>
/// Takes from a host (live or a copied tree) the files the module reads, as host-tree entries: sysfs's
/// PCI functions with their drivers, IOMMU groups, PF/VF links and interfaces, the IOMMU units, the
/// modules the kernel has, and the files <see cref="SnapshotFileRules"/> lists. Sysfs links stay links
/// (relative, as sysfs makes them); other files are taken as text, reduced or redacted as their rule
/// says. Everything is read through the host's file system, so nothing outside a tree is ever read.
/// </summary>
internal sealed class SnapshotFiles
{
    private const string SysfsGroup = "PCI functions, their drivers, IOMMU groups and interfaces (sysfs)";

    private readonly HostFileSystem _files;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interfaces = new(StringComparer.Ordinal);
    private readonly List<HostTreeEntry> _entries = [];
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private string _group = SysfsGroup;

    private SnapshotFiles(HostFileSystem files) => _files = files;

    /// <summary>What was taken, in path order.</summary>
    public IReadOnlyList<HostTreeEntry> Entries => _entries;

    /// <summary>How many entries each group gave, in the order they were taken.</summary>
    public IReadOnlyDictionary<string, int> Groups => _groups;

    /// <summary>The secrets left out, in the order they were met.</summary>
    public List<SriovRedaction> Redactions { get; } = [];

    /// <summary>The files and directories the module reads that this user could not.</summary>
    public List<string> Unreadable { get; } = [];

    /// <summary>Takes the files of <paramref name="files"/>' host.</summary>
    public static SnapshotFiles Capture(HostFileSystem files)
    {
        var capture = new SnapshotFiles(files);
        capture.Run();
        capture._entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return capture;
    }

    private void Run()
    {
        CaptureSysfs();
        _group = SnapshotFileRules.KernelGroup;
        CaptureKernel();
        foreach (var rule in SnapshotFileRules.Rules)
        {
            _group = rule.Group;
            if (rule.IsDirectory)
            {
                if (!Listable(rule.Path))
                {
                    Unreadable.Add($"{rule.Path}: permission denied (readable by root only)");
                }

                foreach (var name in _files.ListNames(rule.Path).Order(StringComparer.Ordinal))
                {
                    if (rule.Suffixes!.Length == 0 || rule.Suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)))
                    {
                        AddFile(rule.Path + "/" + name, rule.Keep, rule.Contains);
                    }
                }
            }
            else
            {
                AddFile(rule.Path, rule.Keep, null);
            }
        }

        _group = SnapshotFileRules.BootGroup;
        foreach (var vendor in List(SnapshotFileRules.EfiDirectory))
        {
            AddFile($"{SnapshotFileRules.EfiDirectory}/{vendor}/grub.cfg", SnapshotFileKeep.Presence, null);
        }

        _group = SnapshotFileRules.LibvirtGroup;
        AddReduced(SnapshotFileRules.QemuConf, SnapshotReductions.QemuConfSettings);
        _group = "PCI vendor and device names of these functions";
        CapturePciNames();
    }

    private void CaptureSysfs()
    {
        AddDirectoryIfPresent("/sys/kernel/iommu_groups");
        AddDirectoryIfPresent("/sys/class/iommu");
        foreach (var unit in List("/sys/class/iommu"))
        {
            if (AddLink($"/sys/class/iommu/{unit}") is { } target)
            {
                AddDirectory(target);
            }
        }

        foreach (var group in List("/sys/kernel/iommu_groups"))
        {
            string devices = $"/sys/kernel/iommu_groups/{group}/devices";
            AddDirectory(devices);
            AddFile($"/sys/kernel/iommu_groups/{group}/type", SnapshotFileKeep.Whole, null);
            foreach (var device in List(devices))
            {
                AddLink($"{devices}/{device}");
            }
        }

        AddDirectoryIfPresent(PciDriverBinding.PciDrivers);
        foreach (var driver in List(PciDriverBinding.PciDrivers))
        {
            AddDirectory($"{PciDriverBinding.PciDrivers}/{driver}");
        }

        foreach (var address in List(SriovDiscovery.PciDevices))
        {
            if (AddLink($"{SriovDiscovery.PciDevices}/{address}") is { } device)
            {
                CaptureDevice(address, device);
            }
        }

        foreach (var name in List(SriovDiscovery.ClassNet))
        {
            if (AddLink($"{SriovDiscovery.ClassNet}/{name}") is { } directory)
            {
                CaptureInterface(directory);
            }
        }
    }

    private void CaptureDevice(string address, string device)
    {
        foreach (var attribute in SnapshotFileRules.DeviceAttributes)
        {
            AddFile($"{device}/{attribute}", SnapshotFileKeep.Whole, null);
        }

        if (_seen.Contains($"{device}/sriov_totalvfs"))
        {
            // A PF's BAR table, where the checks see whether its VF BARs got address space.
            AddFile($"{device}/resource", SnapshotFileKeep.Whole, null);
        }

        foreach (var name in List(device))
        {
            if (name is "iommu_group" or "physfn" || name.StartsWith("virtfn", StringComparison.Ordinal))
            {
                AddLink($"{device}/{name}");
            }
            else if (name == "driver" && AddLink($"{device}/driver") is { } driver)
            {
                AddDirectory(driver);
                AddLink($"{driver}/{address}");
            }
            else if (name is "vfio-dev" or "uio")
            {
                // Only the names: they are the character devices a holder of the VF has open.
                AddDirectory($"{device}/{name}");
                foreach (var node in List($"{device}/{name}"))
                {
                    AddDirectory($"{device}/{name}/{node}");
                }
            }
            else if (name == "net" || name.StartsWith("virtio", StringComparison.Ordinal))
            {
                string net = name == "net" ? $"{device}/net" : $"{device}/{name}/net";
                foreach (var netdev in List(net))
                {
                    CaptureInterface($"{net}/{netdev}");
                }
            }
        }
    }

    private void CaptureInterface(string directory)
    {
        if (!_interfaces.Add(directory))
        {
            return;
        }

        AddDirectory(directory);
        foreach (var attribute in SnapshotFileRules.InterfaceAttributes)
        {
            AddFile($"{directory}/{attribute}", SnapshotFileKeep.Whole, null);
        }

        // The device it hangs off: a PF's representors are told from another port's by it.
        AddLink($"{directory}/device");
    }

    private void CaptureKernel()
    {
        // Which modules are loaded (their names), and the parameters the checks read.
        AddDirectoryIfPresent("/sys/module");
        foreach (var module in List("/sys/module"))
        {
            AddDirectory($"/sys/module/{module}");
        }

        foreach (var parameter in SnapshotFileRules.ModuleParameters)
        {
            AddFile(parameter, SnapshotFileKeep.Whole, null);
        }

        // The parameters PCI drivers' modules have (igb's max_vfs), by name: whether a boot-time VF count can be given.
        foreach (var driver in List(PciDriverBinding.PciDrivers))
        {
            string parameters = $"/sys/module/{driver.Replace('-', '_')}/parameters";
            foreach (var name in List(parameters))
            {
                AddFile($"{parameters}/{name}", SnapshotFileKeep.Presence, null);
            }
        }

        // The CPU's vendor and whether interrupts are remapped: one line each, not the whole tables.
        AddReduced("/proc/cpuinfo", lines => lines.Where(l => l.StartsWith("vendor_id", StringComparison.Ordinal)).Take(1));
        AddReduced("/proc/interrupts", lines => lines.Take(1).Concat(lines.Skip(1).Where(l => l.Contains(" IR-", StringComparison.Ordinal))));

        // The modules modprobe could load for the running kernel, by name: their paths without dependencies.
        if (HostText.RunningKernelModules(_files) is { } directory)
        {
            foreach (var list in new[] { "modules.dep", "modules.builtin" })
            {
                AddReduced($"{directory}/{list}", lines => lines.Select(l => l.Split(':', 2)[0]).Where(l => l.Length > 0));
            }
        }
    }

    private void CapturePciNames()
    {
        var wanted = new HashSet<(string Vendor, string Device)>();
        foreach (var entry in _entries.Where(e => e.Kind == HostTreeEntryKind.File && e.Path.EndsWith("/vendor", StringComparison.Ordinal)))
        {
            string device = entry.Path[..^"vendor".Length] + "device";
            if (_entries.Find(e => e.Path == device) is { } id)
            {
                wanted.Add((SnapshotReductions.Id(entry.Value), SnapshotReductions.Id(id.Value)));
            }
        }

        foreach (var path in SnapshotFileRules.PciIdFiles)
        {
            if (HostText.Read(_files, path) is { } text)
            {
                Add(HostTreeEntryKind.File, path, SnapshotReductions.PciNames(text, wanted));
                return;
            }
        }
    }

    /// <summary>A file kept as some of its lines (<paramref name="keep"/> sees them all), when it exists.</summary>
    private void AddReduced(string path, Func<IList<string>, IEnumerable<string>> keep)
    {
        if (HostText.Read(_files, path) is { } text)
        {
            var lines = text.Split('\n');
            var kept = keep(text.EndsWith('\n') ? lines[..^1] : lines).ToList();
            Add(HostTreeEntryKind.File, path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
    }

    private void AddFile(string path, SnapshotFileKeep keep, string[]? contains)
    {
        if (_seen.Contains(path))
        {
            return;
        }

        if (keep == SnapshotFileKeep.Presence)
        {
            int errno = _files.Stamp(path, out _, out _);
            if (errno == (int)Native.Errno.EISDIR)
            {
                AddDirectory(path);
            }
            else if (errno == 0 || _files.Exists(path))
            {
                Add(HostTreeEntryKind.File, path, "");
            }

            return;
        }

        // Unreadable in the device's present state (the carrier of a down link), or absent: left out, as the module would skip it.
        int failure = _files.ReadAll(path, out byte[]? content);
        if (failure == Native.Errno.EACCES && _group != SysfsGroup)
        {
            Unreadable.Add($"{path}: permission denied (readable by root only)");
        }

        if (failure != 0 || content is null)
        {
            return;
        }

        string text = HostText.Decode(content);
        if (contains is not null && !contains.Any(c => text.Contains(c, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        Add(HostTreeEntryKind.File, path, keep switch
        {
            SnapshotFileKeep.Redacted => SecretRedaction.Redact(path, text, Redactions),
            SnapshotFileKeep.SecretWords => SecretRedaction.RedactWords(path, text, Redactions),
            _ => text,
        });
    }

    // A copied tree may lack what every live host has (/sys/module): its snapshot lacks it too.
    private void AddDirectoryIfPresent(string path)
    {
        if (_files.Exists(path))
        {
            AddDirectory(path);
        }
    }

    // Whether a directory of the live host that exists can be listed by this user (NetworkManager's is root's only).
    private bool Listable(string path)
    {
        if (!_files.IsLiveHost || !System.IO.Directory.Exists(path))
        {
            return true;
        }

        try
        {
            _ = System.IO.Directory.EnumerateFileSystemEntries(path).Any();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void AddDirectory(string path)
    {
        if (_seen.Add(path))
        {
            Count();
            _entries.Add(new HostTreeEntry(HostTreeEntryKind.Directory, path, "", 0));
        }
    }

    private void Add(HostTreeEntryKind kind, string path, string value)
    {
        if (_seen.Add(path))
        {
            Count();
            _entries.Add(new HostTreeEntry(kind, path, value, 0));
        }
    }

    /// <summary>Adds a relative link and returns the host path it points to; null when it is absent or absolute.</summary>
    private string? AddLink(string path)
    {
        string? target = _files.ReadLink(path);
        if (target is null || target.StartsWith('/'))
        {
            return null;
        }

        Add(HostTreeEntryKind.Link, path, target);
        return SnapshotReductions.Resolve(path[..path.LastIndexOf('/')], target);
    }

    private void Count() => _groups[_group] = _groups.GetValueOrDefault(_group) + 1;

    private List<string> List(string path)
    {
        var names = _files.ListNames(path);
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
