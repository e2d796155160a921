using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace SriovPS.Build;

/// <summary>
/// Writes a host's sysfs as a host-tree manifest, keeping only what SriovPS reads: each PCI
/// function's identifying and SR-IOV attributes, the links that tie functions to drivers, IOMMU groups,
/// their PF or VFs, their interfaces and those interfaces' attributes, the IOMMU units, and
/// /proc/cmdline. Attributes are taken by name, so write-only and binary files (config, resource,
/// remove, bind) never are. The result materializes into a tree with no dangling link.
/// </summary>
internal static class HostTreeCapture
{
    private static readonly string[] DeviceAttributes =
    [
        "vendor", "device", "class", "subsystem_vendor", "subsystem_device", "revision", "numa_node", "driver_override",
        "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device", "sriov_drivers_autoprobe",
    ];

    private static readonly string[] InterfaceAttributes = ["address", "mtu", "operstate", "flags", "carrier", "ifindex", "type"];

    public static List<HostTreeEntry> Capture(string root)
    {
        var capture = new Walker(root);
        capture.Run();
        return capture.Entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>Joins a host path and a relative link target, resolving '.' and '..'.</summary>
    internal static string Resolve(string directory, string target)
    {
        var parts = new List<string>(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    private sealed class Walker(string root)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly HashSet<string> _capturedInterfaces = new(StringComparer.Ordinal);

        public List<HostTreeEntry> Entries { get; } = [];

        public void Run()
        {
            AddFile("/proc/cmdline");
            AddDirectory("/sys/kernel/iommu_groups");
            AddDirectory("/sys/class/iommu");
            foreach (var unit in List("/sys/class/iommu"))
            {
                if (AddLink($"/sys/class/iommu/{unit}") is { } target)
                {
                    AddDirectory(target);
                }
            }

            foreach (var group in List("/sys/kernel/iommu_groups"))
            {
                AddDirectory($"/sys/kernel/iommu_groups/{group}/devices");
                foreach (var device in List($"/sys/kernel/iommu_groups/{group}/devices"))
                {
                    AddLink($"/sys/kernel/iommu_groups/{group}/devices/{device}");
                }
            }

            foreach (var address in List("/sys/bus/pci/devices"))
            {
                if (AddLink($"/sys/bus/pci/devices/{address}") is { } device)
                {
                    CaptureDevice(address, device);
                }
            }

            foreach (var name in List("/sys/class/net"))
            {
                if (AddLink($"/sys/class/net/{name}") is { } directory && _capturedInterfaces.Add(directory))
                {
                    CaptureInterface(directory);
                }
            }
        }

        private void CaptureDevice(string address, string device)
        {
            foreach (var attribute in DeviceAttributes)
            {
                AddFile($"{device}/{attribute}");
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
                else if (name == "net" || name.StartsWith("virtio", StringComparison.Ordinal))
                {
                    string net = name == "net" ? $"{device}/net" : $"{device}/{name}/net";
                    foreach (var netdev in List(net))
                    {
                        if (_capturedInterfaces.Add($"{net}/{netdev}"))
                        {
                            CaptureInterface($"{net}/{netdev}");
                        }
                    }
                }
            }
        }

        private void CaptureInterface(string directory)
        {
            AddDirectory(directory);
            foreach (var attribute in InterfaceAttributes)
            {
                AddFile($"{directory}/{attribute}");
            }
        }

        private List<string> List(string hostPath)
        {
            string path = Real(hostPath);
            if (!Directory.Exists(path))
            {
                return [];
            }

            // Directory.GetFileSystemEntries lists links without following them into sysfs's cycles.
            return Directory.GetFileSystemEntries(path).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
        }

        private void AddFile(string hostPath)
        {
            try
            {
                string real = Real(hostPath);
                if (File.Exists(real) && new FileInfo(real).LinkTarget is null && _seen.Add(hostPath))
                {
                    Entries.Add(new HostTreeEntry(HostTreeEntryKind.File, hostPath, File.ReadAllText(real), 0));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable in the device's present state (carrier of a down link): left out, as SriovPS would skip it.
                _seen.Remove(hostPath);
            }
        }

        private void AddDirectory(string hostPath)
        {
            if (_seen.Add(hostPath))
            {
                Entries.Add(new HostTreeEntry(HostTreeEntryKind.Directory, hostPath, "", 0));
            }
        }

        /// <summary>Adds the link and returns the host path it points to, or null when it is not a relative link.</summary>
        private string? AddLink(string hostPath)
        {
            string? target = new FileInfo(Real(hostPath)).LinkTarget;
            if (target is null || target.StartsWith('/'))
            {
                return null;
            }

            if (_seen.Add(hostPath))
            {
                Entries.Add(new HostTreeEntry(HostTreeEntryKind.Link, hostPath, target, 0));
            }

            return Resolve(hostPath[..hostPath.LastIndexOf('/')], target);
        }

        private string Real(string hostPath) => root == "/" ? hostPath : root.TrimEnd('/') + hostPath;
    }
}
