using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using SriovPS.Boot;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Export;
using SriovPS.Hosting;
using SriovPS.Native.Files;
using SriovPS.Readiness;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// Snapshots open into a cache named by XDG_CACHE_HOME, which is process-wide: the tests that open them
/// run alone, with the cache in a temporary directory of their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SnapshotHostCollection : ICollectionFixture<SnapshotCacheDirectory>
{
    public const string Name = "Snapshots opened as hosts";
}

/// <summary>A private snapshot cache for the collection, removed afterwards; the variable is put back as it was.</summary>
public sealed class SnapshotCacheDirectory : IDisposable
{
    private readonly string? _before = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
    private readonly string _cache = Directory.CreateTempSubdirectory("sriovps-snapshot-cache-").FullName;

    public SnapshotCacheDirectory() => Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _cache);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _before);
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is not worth failing a test over.
        }
    }
}

/// <summary>
/// What the Get- and Test- commands read of one host, through one session as the cmdlets use it:
/// Get-SriovPf -IncludeNotCapable, Get-SriovVf, Test-SriovHost, Get-SriovConfiguration, every
/// Export-SriovConfig format, and what else makes each PF's VFs at boot.
/// </summary>
internal sealed class HostReading
{
    public const string Schema = "SriovPS.Configuration.schema.json";

    public required List<SriovPf> Pfs { get; init; }

    public required Dictionary<string, List<SriovVf>> Vfs { get; init; }

    public required List<SriovHostCheck> Checks { get; init; }

    public required string Configuration { get; init; }

    /// <summary>Each export format's text, or the error it ended with.</summary>
    public required Dictionary<SriovExportFormat, string> Exports { get; init; }

    public required Dictionary<string, string?> VfCountSources { get; init; }

    public List<string> Warnings { get; } = [];

    public static HostReading Read(HostContext host)
    {
        var warnings = new List<string>();
        using var session = new HostSession(host, new CallbackReport(warn: warnings.Add, fail: e => warnings.Add(e.Message)), readsPfKernelState: true);
        var pfs = session.Discovery.GetPfs(includeNotCapable: true, kernelState: true);
        var vfs = pfs.ToDictionary(p => p.PciAddress, p => session.Discovery.GetVfs(p, statistics: true));
        var owners = session.GuestOwners();
        foreach (var vf in vfs.Values.SelectMany(v => v))
        {
            vf.Owner = owners?.GetValueOrDefault(vf.PciAddress);
        }

        var checks = new HostCheckRun(session, "qemu:///system").Run(null, null);
        string configuration = new SriovConfiguration(session).Get(session.AllPfs().OrderBy(p => p.PciAddress, StringComparer.Ordinal).ToList(), Schema);
        var exports = new Dictionary<SriovExportFormat, string>();
        var chosen = session.AllPfs().Where(p => p.NumVfs > 0).Select(p => (p, (IReadOnlySet<int>?)null)).ToList();
        foreach (var format in Enum.GetValues<SriovExportFormat>())
        {
            try
            {
                exports[format] = string.Concat(SriovConfigExport.Export(session, new ExportRequest(format) { Namespace = "sriov" }, chosen).Select(d => d.Text));
            }
            catch (SriovException e)
            {
                exports[format] = $"{e.Id}: {e.Message}";
            }
        }

        var commandLine = KernelCommandLine.Read(host.Files);
        var sources = pfs.ToDictionary(p => p.PciAddress, p => SriovPS.Readiness.VfCountSources.Find(host.Files, p, commandLine));
        var reading = new HostReading { Pfs = pfs, Vfs = vfs, Checks = checks, Configuration = configuration, Exports = exports, VfCountSources = sources };
        reading.Warnings.AddRange(warnings);
        return reading;
    }

    /// <summary>Every property of <paramref name="value"/>, public or not, as "Name=value" lines; the module's own objects are opened up.</summary>
    public static List<string> Describe(object? value, string prefix = "")
    {
        var lines = new List<string>();
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value.GetType().Namespace?.StartsWith("SriovPS", StringComparison.Ordinal) != true)
        {
            lines.Add($"{prefix}={Format(value)}");
            return lines;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                lines.AddRange(Describe(property.GetValue(value), prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}"));
            }
        }

        return lines;
    }

    private static string Format(object? value) => value switch
    {
        null => "(null)",
        string text => $"\"{text}\"",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>Fixture trees for the snapshot tests, and one with the configuration files a managed host has.</summary>
internal static class SnapshotTrees
{
    /// <summary>The i350-4port tree with boot, module, udev, AppArmor, network and libvirt files planted.</summary>
    public const string Configured = "i350-4port+configuration";

    public static readonly string[] Names = ["i350-4port", "lab-igb", "connectx5", "x540-2port", "e810-nodriver", "iommu-off", "virtio-vm", Configured];

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }

        return data;
    }

    public static HostTree Make(string name)
    {
        if (name != Configured)
        {
            return HostTree.FromFixture(name);
        }

        var tree = HostTree.FromFixture("i350-4port");
        foreach (var (path, text) in ConfigurationFiles)
        {
            tree.WriteFile(path, text);
        }

        return tree;
    }

    /// <summary>A snapshot of the host at <paramref name="root"/> written into <paramref name="path"/> (a directory or .tar.gz).</summary>
    public static SriovHostSnapshot Save(string root, string path)
    {
        using var session = new HostSession(HostContext.FromRoot(root), CallbackReport.Throwing);
        return HostSnapshotCapture.Take(session, "qemu:///system").Write(path, replace: false);
    }

    /// <summary>The captured entries of a tree materialized as a tree of their own.</summary>
    public static HostTree Captured(SnapshotFiles capture)
    {
        var tree = HostTree.Empty();
        Directory.Delete(tree.Root);
        HostTreeManifest.Materialize(capture.Entries, tree.Root);
        return tree;
    }

    private static readonly (string Path, string Text)[] ConfigurationFiles =
    [
        ("/etc/hostname", "node07\n"),
        ("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n"),
        ("/proc/sys/kernel/hostname", "node07\n"),
        ("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n"),
        ("/proc/interrupts", "           CPU0\n 24:          0  IR-PCI-MSIX-0000:04:00.0    0-edge      eno49\nNMI:          0   Non-maskable interrupts\n"),
        ("/proc/net/route", "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neno49\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"),
        ("/lib/modules/6.1.0-28-amd64/modules.dep", "kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko\nkernel/drivers/net/ethernet/intel/igbvf/igbvf.ko:\n"),
        ("/lib/modules/6.1.0-28-amd64/modules.builtin", "kernel/drivers/pci/pci-stub.ko\n"),
        ("/sys/module/vfio_pci/initstate", "live\n"),
        ("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n"),
        ("/sys/module/apparmor/parameters/enabled", "Y\n"),
        ("/sys/firmware/acpi/tables/DMAR", "DMAR"),
        ("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"),
        ("/etc/default/grub.d/50-cloudimg.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS0\"\n"),
        ("/boot/grub/grub.cfg", "# generated\n"),
        ("/boot/efi/EFI/debian/grub.cfg", "search.fs_uuid 1234 root\n"),
        ("/etc/modules", "# /etc/modules\nvfio\n"),
        ("/etc/modules-load.d/vfio.conf", "vfio\nvfio_iommu_type1\nvfio_pci\n"),
        ("/etc/initramfs-tools/modules", "vfio_pci\n"),
        ("/etc/modprobe.d/igb.conf", "options igb max_vfs=7\n"),
        ("/etc/modprobe.d/vfio.conf", "options vfio-pci ids=8086:1520\n"),
        ("/etc/dracut.conf.d/vfio.conf", "add_drivers+=\" vfio_pci \"\n"),
        ("/etc/udev/rules.d/70-sriovps.rules", "ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\"\n"),
        ("/etc/udev/rules.d/80-vfs.rules", "ACTION==\"add\", SUBSYSTEM==\"net\", KERNEL==\"eno50\", ATTR{device/sriov_numvfs}=\"4\"\n"),
        ("/etc/udev/rules.d/99-other.rules", "SUBSYSTEM==\"block\", ATTR{queue/scheduler}=\"none\"\n"),
        ("/etc/netplan/01-eno51.yaml", "network:\n  version: 2\n  ethernets:\n    eno51:\n      virtual-function-count: 7\n"),
        ("/etc/NetworkManager/system-connections/eno52.nmconnection", "[connection]\nid=eno52\ninterface-name=eno60\n\n[sriov]\ntotal-vfs=7\n"),
        ("/etc/systemd/network/10-eno49.link", "[Match]\nOriginalName=eno49\n\n[Link]\nSR-IOVVirtualFunctions=7\n"),
        ("/etc/systemd/network/20-eno49.network", "[Match]\nName=eno49\n\n[Network]\nDHCP=yes\n"),
        ("/etc/network/interfaces", "auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n"),
        ("/etc/network/interfaces.d/eno49", "auto eno49\niface eno49 inet manual\n"),
        ("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", ""),
        ("/run/systemd/netif/state", "OPER_STATE=routable\n"),
        ("/run/udev/control", ""),
        ("/etc/apparmor.d/abstractions/libvirt-qemu", "  /dev/vfio/vfio rw,\n  #include if exists <local/abstractions/libvirt-qemu>\n"),
        ("/etc/apparmor.d/abstractions/base", "  /etc/ld.so.cache r,\n"),
        ("/etc/apparmor.d/local/abstractions/libvirt-qemu", "/dev/vfio/39 rw,\n"),
        ("/etc/apparmor.d/libvirt/TEMPLATE.qemu", "profile LIBVIRT_TEMPLATE flags=(attach_disconnected) {\n}\n"),
        ("/etc/libvirt/qemu.conf", "# vnc_password = \"secret\"\nuser = \"libvirt-qemu\"\ngroup = \"kvm\"\ndynamic_ownership = 1\nspice_password = \"hunter2\"\n"),
        ("/usr/sbin/update-grub", "#!/bin/sh\n"),
        ("/usr/sbin/grub-mkconfig", "#!/bin/sh\n"),
        ("/usr/sbin/apparmor_parser", "#!/bin/sh\n"),
        ("/usr/sbin/modprobe", "#!/bin/sh\n"),
        ("/usr/bin/udevadm", "#!/bin/sh\n"),
        ("/usr/lib/systemd/systemd-udevd", "#!/bin/sh\n"),
        ("/usr/lib/systemd/systemd-networkd", "#!/bin/sh\n"),
        ("/usr/sbin/netplan", "#!/bin/sh\n"),
    ];
}
