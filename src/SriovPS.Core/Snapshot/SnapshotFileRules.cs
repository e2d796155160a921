namespace SriovPS.Snapshot;

/// <summary>How a captured file is kept: as it is, reduced to what the module reads of it, or only as present.</summary>
internal enum SnapshotFileKeep
{
    /// <summary>The whole file.</summary>
    Whole,

    /// <summary>The whole file with passwords, pre-shared keys and private keys replaced (network configuration).</summary>
    Redacted,

    /// <summary>An empty file (or directory) where one exists: the module asks only whether it does.</summary>
    Presence,

    /// <summary>The whole file with the secret words of command lines replaced (<c>rd.iscsi.password=…</c>).</summary>
    SecretWords,
}

/// <summary>A file, or the files of a directory, that the module reads, and why.</summary>
/// <param name="Path">A host path; for a directory rule, the directory.</param>
/// <param name="Suffixes">For a directory: the file name endings taken (none: every file).</param>
/// <param name="Contains">For a directory: only files whose text contains one of these, in any case.</param>
internal sealed record SnapshotFileRule(string Group, string Path, SnapshotFileKeep Keep, string[]? Suffixes = null, string[]? Contains = null)
{
    public bool IsDirectory => Suffixes is not null;
}

/// <summary>
/// The one list of what a snapshot takes from a host's files besides the PCI, IOMMU and interface
/// trees of sysfs (<see cref="SnapshotFiles"/> walks those): each file or directory the module reads,
/// grouped as Save-SriovHostSnapshot -WhatIf shows them. Anything not listed here never leaves the host.
/// </summary>
internal static class SnapshotFileRules
{
    public const string KernelGroup = "the kernel's command line, release, modules and IOMMU";
    public const string BootGroup = "boot and module-loading configuration";
    public const string UdevGroup = "udev rules that mention SR-IOV or vfio";
    public const string AppArmorGroup = "AppArmor's libvirt-qemu files";
    public const string NetworkGroup = "network configuration (secrets redacted)";
    public const string LibvirtGroup = "libvirt's QEMU ownership settings";
    public const string HostGroup = "the host's name";

    /// <summary>PCI function attributes discovery and the checks read (never config, resource or other binary files).</summary>
    public static readonly string[] DeviceAttributes =
    [
        "vendor", "device", "class", "subsystem_vendor", "subsystem_device", "revision", "numa_node", "driver_override", "modalias",
        "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device", "sriov_drivers_autoprobe",
    ];

    /// <summary>
    /// Interface attributes discovery reads when the kernel is not asked, and the rebinding of VFs; the
    /// switch id and port name by which a PF's VF representors are found.
    /// </summary>
    public static readonly string[] InterfaceAttributes =
        ["address", "mtu", "operstate", "flags", "carrier", "ifindex", "type", "uevent", "phys_switch_id", "phys_port_name"];

    /// <summary>Modules whose parameters the checks read.</summary>
    public static readonly string[] ModuleParameters =
    [
        "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
        "/sys/module/apparmor/parameters/enabled",
    ];

    public static readonly SnapshotFileRule[] Rules =
    [
        new(HostGroup, "/etc/hostname", SnapshotFileKeep.Whole),
        new(KernelGroup, "/proc/cmdline", SnapshotFileKeep.SecretWords),
        new(KernelGroup, "/proc/sys/kernel/osrelease", SnapshotFileKeep.Whole),
        new(KernelGroup, "/proc/sys/kernel/hostname", SnapshotFileKeep.Whole),
        new(KernelGroup, "/proc/net/route", SnapshotFileKeep.Whole),
        new(KernelGroup, "/sys/firmware/acpi/tables/DMAR", SnapshotFileKeep.Presence),
        new(KernelGroup, "/sys/firmware/acpi/tables/IVRS", SnapshotFileKeep.Presence),
        new(KernelGroup, "/run/udev/control", SnapshotFileKeep.Presence),
        // The vfio group nodes there are: a VF's VfioDevice, and what its holders open.
        new(KernelGroup, "/dev/vfio", SnapshotFileKeep.Presence, []),

        new(BootGroup, "/etc/default/grub", SnapshotFileKeep.SecretWords),
        new(BootGroup, "/etc/default/grub.d", SnapshotFileKeep.SecretWords, [".cfg"]),
        new(BootGroup, "/boot/grub/grub.cfg", SnapshotFileKeep.Presence),
        new(BootGroup, "/boot/grub2/grub.cfg", SnapshotFileKeep.Presence),
        new(BootGroup, "/etc/modules", SnapshotFileKeep.Whole),
        new(BootGroup, "/etc/initramfs-tools/modules", SnapshotFileKeep.Whole),
        new(BootGroup, "/etc/modules-load.d", SnapshotFileKeep.Whole, [".conf"]),
        new(BootGroup, "/run/modules-load.d", SnapshotFileKeep.Whole, [".conf"]),
        new(BootGroup, "/usr/local/lib/modules-load.d", SnapshotFileKeep.Whole, [".conf"]),
        new(BootGroup, "/usr/lib/modules-load.d", SnapshotFileKeep.Whole, [".conf"]),
        new(BootGroup, "/lib/modules-load.d", SnapshotFileKeep.Whole, [".conf"]),
        new(BootGroup, "/etc/modprobe.d", SnapshotFileKeep.SecretWords, [".conf"]),
        new(BootGroup, "/etc/dracut.conf.d", SnapshotFileKeep.SecretWords, [".conf"]),
        // The programs a change would run: a plan (-WhatIf) on the snapshot names the ones the host has.
        new(BootGroup, "/usr/sbin/update-grub", SnapshotFileKeep.Presence),
        new(BootGroup, "/sbin/update-grub", SnapshotFileKeep.Presence),
        new(BootGroup, "/usr/sbin/grub-mkconfig", SnapshotFileKeep.Presence),
        new(BootGroup, "/sbin/grub-mkconfig", SnapshotFileKeep.Presence),
        new(BootGroup, "/usr/bin/grub-mkconfig", SnapshotFileKeep.Presence),
        new(BootGroup, "/usr/sbin/grub2-mkconfig", SnapshotFileKeep.Presence),
        new(BootGroup, "/sbin/grub2-mkconfig", SnapshotFileKeep.Presence),
        new(BootGroup, "/usr/bin/grub2-mkconfig", SnapshotFileKeep.Presence),

        new(UdevGroup, "/etc/udev/rules.d", SnapshotFileKeep.Whole, [".rules"], ["sriov", "vfio"]),

        new(AppArmorGroup, "/etc/apparmor.d/abstractions/libvirt-qemu", SnapshotFileKeep.Whole),
        new(AppArmorGroup, "/etc/apparmor.d/local/abstractions/libvirt-qemu", SnapshotFileKeep.Whole),
        new(AppArmorGroup, "/etc/apparmor.d/libvirt", SnapshotFileKeep.Whole, []),
        new(AppArmorGroup, "/usr/sbin/apparmor_parser", SnapshotFileKeep.Presence),
        new(AppArmorGroup, "/sbin/apparmor_parser", SnapshotFileKeep.Presence),

        new(NetworkGroup, "/etc/netplan", SnapshotFileKeep.Redacted, [".yaml"]),
        new(NetworkGroup, "/run/netplan", SnapshotFileKeep.Redacted, [".yaml"]),
        new(NetworkGroup, "/lib/netplan", SnapshotFileKeep.Redacted, [".yaml"]),
        new(NetworkGroup, "/usr/lib/netplan", SnapshotFileKeep.Redacted, [".yaml"]),
        new(NetworkGroup, "/etc/systemd/network", SnapshotFileKeep.Redacted, [".network", ".link", ".netdev"]),
        new(NetworkGroup, "/run/systemd/network", SnapshotFileKeep.Redacted, [".network", ".link", ".netdev"]),
        new(NetworkGroup, "/usr/local/lib/systemd/network", SnapshotFileKeep.Redacted, [".network", ".link", ".netdev"]),
        new(NetworkGroup, "/usr/lib/systemd/network", SnapshotFileKeep.Redacted, [".network", ".link", ".netdev"]),
        new(NetworkGroup, "/lib/systemd/network", SnapshotFileKeep.Redacted, [".network", ".link", ".netdev"]),
        new(NetworkGroup, "/etc/NetworkManager/system-connections", SnapshotFileKeep.Redacted, []),
        new(NetworkGroup, "/usr/lib/NetworkManager/system-connections", SnapshotFileKeep.Redacted, []),
        new(NetworkGroup, "/etc/network/interfaces", SnapshotFileKeep.Redacted),
        new(NetworkGroup, "/etc/network/interfaces.d", SnapshotFileKeep.Redacted, []),
        new(NetworkGroup, "/etc/systemd/system/multi-user.target.wants/NetworkManager.service", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/run/NetworkManager", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/run/systemd/netif/state", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/sbin/netplan", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/bin/netplan", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/sbin/NetworkManager", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/bin/NetworkManager", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/lib/systemd/systemd-networkd", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/lib/systemd/systemd-networkd", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/usr/sbin/ifup", SnapshotFileKeep.Presence),
        new(NetworkGroup, "/sbin/ifup", SnapshotFileKeep.Presence),
        new(UdevGroup, "/usr/bin/udevadm", SnapshotFileKeep.Presence),
        new(UdevGroup, "/usr/sbin/udevadm", SnapshotFileKeep.Presence),
        new(UdevGroup, "/bin/udevadm", SnapshotFileKeep.Presence),
        new(UdevGroup, "/sbin/udevadm", SnapshotFileKeep.Presence),
        new(UdevGroup, "/lib/systemd/systemd-udevd", SnapshotFileKeep.Presence),
        new(UdevGroup, "/usr/lib/systemd/systemd-udevd", SnapshotFileKeep.Presence),
    ];

    /// <summary>Where EFI systems keep a grub.cfg per vendor directory (<c>/boot/efi/EFI/debian/grub.cfg</c>), which the GRUB step writes to.</summary>
    public const string EfiDirectory = "/boot/efi/EFI";

    /// <summary>Where the PCI names are; a snapshot keeps only the lines of the devices it holds.</summary>
    public static readonly string[] PciIdFiles = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"];

    /// <summary>qemu.conf's settings the checks judge: the rest of the file (which may hold VNC and SPICE passwords) is blanked, line numbers kept.</summary>
    public const string QemuConf = "/etc/libvirt/qemu.conf";

    public static readonly string[] QemuConfSettings = ["user", "group", "dynamic_ownership"];
}
