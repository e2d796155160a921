using System.Text;
using SriovPS.Discovery;
using SriovPS.Native.Files;

namespace SriovPS.VfCount;

/// <summary>How something holds a VF, so that destroying the VF would break it or hang.</summary>
internal enum VfHoldKind
{
    /// <summary>A process has the VF's IOMMU group open (<c>/dev/vfio/N</c>), as QEMU and DPDK do.</summary>
    VfioGroup,

    /// <summary>A process has the VF itself open through vfio; the kernel's removal would wait for it forever.</summary>
    VfioDevice,

    /// <summary>A process has the VF's uio device open (DPDK with igb_uio or uio_pci_generic).</summary>
    UioDevice,

    /// <summary>The VF's net driver is bound but its interface is not in this network namespace: a container has it.</summary>
    OtherNamespace,

    /// <summary>A running libvirt guest has the VF (a hostdev, or an interface on a pool).</summary>
    LibvirtGuest,
}

/// <summary>One holder of one VF (or, for a vfio device the kernel does not attribute, of any vfio VF of the PF).</summary>
internal sealed record VfHolder(VfHoldKind Kind, int? VfIndex, string? VfPciAddress, int? ProcessId, string? CommandLine, string? Path)
{
    public override string ToString()
    {
        string vf = VfIndex is int index ? $"vf {index} ({VfPciAddress})" : "a VF on vfio";
        string process = ProcessId is int pid ? $"PID {pid} ({CommandLine})" : "a process";
        return Kind switch
        {
            VfHoldKind.VfioGroup => $"{process} has {Path} open, the IOMMU group of {vf}",
            VfHoldKind.VfioDevice when VfIndex is null =>
                $"{process} has a vfio device open that this kernel does not name; it may be {vf} of this PF",
            VfHoldKind.VfioDevice => $"{process} has {vf} open through vfio ({Path})",
            VfHoldKind.UioDevice => $"{process} has {Path} open, the uio device of {vf}",
            VfHoldKind.LibvirtGuest => $"the running libvirt guest '{CommandLine}' has {vf}",
            _ => $"{vf} is bound to its net driver but its interface is not in this network namespace: a container or 'ip netns' namespace has it",
        };
    }
}

/// <summary>
/// Finds what holds a PF's VFs before their count changes, which destroys them all: processes with a
/// VF's vfio group, vfio device or uio device open (from <c>/proc/*/fd</c>), and VF interfaces moved
/// into another network namespace. Reads /proc only when some VF is on a driver that hands it to
/// user space, so a host whose VFs are all on their net driver costs no process scan.
/// </summary>
/// <param name="saved">The holders of the PF's VFs a snapshot found when it was taken, served instead of a scan of its /proc.</param>
internal sealed class VfHolderScan(HostFileSystem files, IReadOnlyList<VfHolder>? saved = null)
{
    private const string VfioDeviceInode = "anon_inode:[vfio-device]";

    /// <summary>Everything holding one of <paramref name="vfs"/>: running guests first, then processes in PID order.</summary>
    /// <param name="guestOwners">The running libvirt guest holding each VF (PCI address), when libvirt could be asked.</param>
    public List<VfHolder> Find(IReadOnlyList<SriovVf> vfs, IReadOnlyDictionary<string, string>? guestOwners = null)
    {
        var holders = new List<VfHolder>();
        foreach (var vf in vfs)
        {
            if (guestOwners?.GetValueOrDefault(vf.PciAddress) is { } guest)
            {
                holders.Add(new VfHolder(VfHoldKind.LibvirtGuest, vf.Index, vf.PciAddress, null, guest, null));
            }
        }

        if (saved is not null)
        {
            var addresses = vfs.Select(v => v.PciAddress).ToHashSet(StringComparer.Ordinal);
            holders.AddRange(saved.Where(h => h.Kind != VfHoldKind.LibvirtGuest && (h.VfPciAddress is null || addresses.Contains(h.VfPciAddress))));
            return holders;
        }

        var byPath = new Dictionary<string, (VfHoldKind Kind, SriovVf Vf)>(StringComparer.Ordinal);
        var byAddress = new Dictionary<string, SriovVf>(StringComparer.Ordinal);
        bool anyVfio = false;
        foreach (var vf in vfs)
        {
            byAddress[vf.PciAddress] = vf;
            bool vfio = IsVfioDriver(vf.Driver);
            anyVfio |= vfio;
            string device = SriovDiscovery.PciDevices + "/" + vf.PciAddress;
            if (vf.IommuGroup is int group)
            {
                string groupPath = "/dev/vfio/" + group.ToString(CultureInfo.InvariantCulture);
                if (vfio || files.Exists(groupPath))
                {
                    anyVfio = true;
                    byPath[groupPath] = (VfHoldKind.VfioGroup, vf);
                }
            }

            // iommufd's per-device character devices: /dev/vfio/devices/vfioN.
            foreach (var name in files.ListNames(device + "/vfio-dev"))
            {
                byPath["/dev/vfio/devices/" + name] = (VfHoldKind.VfioDevice, vf);
            }

            foreach (var name in files.ListNames(device + "/uio"))
            {
                byPath["/dev/" + name] = (VfHoldKind.UioDevice, vf);
            }

            if (vf.Driver is not null && vf.Name is null && !vfio && !UserSpaceDrivers.Contains(vf.Driver))
            {
                holders.Add(new VfHolder(VfHoldKind.OtherNamespace, vf.Index, vf.PciAddress, null, null, null));
            }
        }

        if (byPath.Count > 0 || anyVfio)
        {
            ScanProcesses(byPath, byAddress, anyVfio, holders);
        }

        return holders;
    }

    /// <summary>Drivers that hand a device to user space, and so give it no interface: vfio-pci and its variants (mlx5_vfio_pci, …).</summary>
    internal static bool IsVfioDriver(string? driver) => driver is not null && driver.Contains("vfio", StringComparison.Ordinal);

    private static readonly HashSet<string> UserSpaceDrivers = new(StringComparer.Ordinal) { "pci-stub", "uio_pci_generic", "igb_uio" };

    /// <summary>Whether the driver hands the VF to user space without vfio (DPDK's uio drivers) or holds it unused (pci-stub).</summary>
    internal static bool IsUserSpaceDriver(string? driver) => driver is not null && UserSpaceDrivers.Contains(driver);

    private void ScanProcesses(
        Dictionary<string, (VfHoldKind Kind, SriovVf Vf)> byPath, Dictionary<string, SriovVf> byAddress, bool anyVfio, List<VfHolder> holders)
    {
        var pids = new List<int>();
        foreach (var name in files.ListNames("/proc"))
        {
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                pids.Add(pid);
            }
        }

        pids.Sort();
        foreach (int pid in pids)
        {
            string fdDirectory = $"/proc/{pid}/fd";
            string? commandLine = null;
            bool holdsOurs = false;
            int unattributedDevices = 0, devicesInOtherGroups = 0;
            var found = new HashSet<(string?, VfHoldKind)>();

            // A process that exits mid-scan lists or reads as empty: it holds nothing any more.
            foreach (var fd in files.ListNames(fdDirectory))
            {
                string? target = files.ReadLink(fdDirectory + "/" + fd);
                if (target is null)
                {
                    continue;
                }

                if (byPath.TryGetValue(target, out var held))
                {
                    holdsOurs = true;
                    if (found.Add((held.Vf.PciAddress, held.Kind)))
                    {
                        holders.Add(new VfHolder(held.Kind, held.Vf.Index, held.Vf.PciAddress, pid, commandLine ??= CommandLine(pid), target));
                    }
                }
                else if (GroupNumber(target) is { } otherGroup)
                {
                    devicesInOtherGroups += files.ListNames($"/sys/kernel/iommu_groups/{otherGroup}/devices").Count;
                }
                else if (anyVfio && target == VfioDeviceInode)
                {
                    switch (AttributeVfioDevice(pid, fd, byAddress))
                    {
                        case (true, { } vf, string syspath):
                            holdsOurs = true;
                            if (found.Add((vf.PciAddress, VfHoldKind.VfioDevice)))
                            {
                                holders.Add(new VfHolder(VfHoldKind.VfioDevice, vf.Index, vf.PciAddress, pid, commandLine ??= CommandLine(pid), syspath));
                            }

                            break;
                        case (false, _, _):
                            unattributedDevices++;
                            break;
                    }
                }
            }

            // A device descriptor comes from a group descriptor. Only when the other groups the process
            // still holds have enough devices to explain its descriptors are they surely not ours.
            if (unattributedDevices > devicesInOtherGroups && !holdsOurs)
            {
                holders.Add(new VfHolder(VfHoldKind.VfioDevice, null, null, pid, commandLine ??= CommandLine(pid), VfioDeviceInode));
            }
        }
    }

    /// <summary>The N of a group's character device <c>/dev/vfio/N</c>; <c>null</c> for anything else (the container, iommufd's device nodes).</summary>
    private static string? GroupNumber(string target)
    {
        const string prefix = "/dev/vfio/";
        if (!target.StartsWith(prefix, StringComparison.Ordinal) || target.Length == prefix.Length)
        {
            return null;
        }

        foreach (char c in target.AsSpan(prefix.Length))
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
        }

        return target[prefix.Length..];
    }

    /// <summary>
    /// The VF behind a vfio device descriptor: Linux 6.18 and later name the device in fdinfo
    /// (<c>vfio-device-syspath:</c>). Returns whether the kernel named it, and the VF when it is one of ours.
    /// </summary>
    private (bool Named, SriovVf? Vf, string? Syspath) AttributeVfioDevice(int pid, string fd, Dictionary<string, SriovVf> byAddress)
    {
        string? info = files.ReadAttribute($"/proc/{pid}/fdinfo/{fd}");
        foreach (var line in (info ?? string.Empty).Split('\n'))
        {
            const string key = "vfio-device-syspath:";
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string syspath = line[key.Length..].Trim().TrimEnd('/');
                string address = syspath[(syspath.LastIndexOf('/') + 1)..];
                return (true, byAddress.GetValueOrDefault(address), syspath);
            }
        }

        return (false, null, null);
    }

    /// <summary>
    /// A process's command line with spaces for NULs, shortened; its name when the line is empty (a
    /// kernel thread); <c>null</c> when the process is gone.
    /// </summary>
    internal static string? CommandLine(HostFileSystem files, int pid)
    {
        string? line = files.ReadAttribute($"/proc/{pid}/cmdline");
        if (string.IsNullOrEmpty(line))
        {
            return files.ReadAttribute($"/proc/{pid}/comm");
        }

        var text = new StringBuilder(line.Length);
        foreach (char c in line)
        {
            text.Append(c == '\0' ? ' ' : c);
        }

        const int limit = 160;
        return text.Length <= limit ? text.ToString().TrimEnd() : text.ToString(0, limit - 1) + "…";
    }

    private string CommandLine(int pid) => CommandLine(files, pid) ?? "?";

}
