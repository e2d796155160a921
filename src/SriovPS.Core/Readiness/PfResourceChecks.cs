using SriovPS.Boot;
using SriovPS.Discovery;
using SriovPS.Native.Files;

namespace SriovPS.Readiness;

/// <summary>
/// What the platform gives a PF's VFs: an IOMMU group of their own (vfio passes whole groups), and
/// address space for the VF BARs (without it the kernel cannot create VFs; <c>pci=realloc</c> lets
/// it redo the firmware's assignment).
/// </summary>
internal static class PfResourceChecks
{
    public const string VfIsolationId = "Pf.VfIsolation";
    public const string BarSpaceId = "Pf.BarSpace";

    // The SR-IOV BARs are resources 7 to 12 in a device's sysfs resource file (PCI_IOV_RESOURCES).
    private const int FirstIovResource = 7;
    private const int IovResourceCount = 6;

    // include/linux/ioport.h: a resource the kernel could not place.
    private const ulong IoResourceUnset = 0x20000000;

    public static void VfIsolation(HostCheckList checks, HostFileSystem files, SriovPf pf, IReadOnlyList<SriovVf> vfs, bool iommuOn)
    {
        string target = pf.ToString();
        if (!iommuOn)
        {
            checks.Skip(VfIsolationId, target, $"Not judged: the IOMMU is off ({IommuChecks.EnabledId}).");
            return;
        }

        if (vfs.Count == 0)
        {
            checks.Skip(VfIsolationId, target, $"Not judged: {target} has no VFs.");
            return;
        }

        var shared = new List<string>();
        int sharing = 0;
        foreach (var vf in vfs)
        {
            if (vf.IommuGroup is not int group)
            {
                sharing++;
                shared.Add($"{vf.PciAddress} is in no IOMMU group");
                continue;
            }

            var others = files.ListNames($"{IommuChecks.GroupsPath}/{group}/devices")
                .Where(d => d != vf.PciAddress && !PciBridges.IsBridge(files, d))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (others.Count > 0)
            {
                sharing++;
                shared.Add(string.Create(CultureInfo.InvariantCulture, $"{vf.PciAddress} shares group {group} with {HostText.Join(others)}"));
            }
        }

        if (sharing == 0)
        {
            var groups = vfs.Select(v => v.IommuGroup!.Value).Distinct().Order().ToList();
            checks.Pass(VfIsolationId, target, string.Create(CultureInfo.InvariantCulture,
                $"Each of the {vfs.Count} VFs is alone in its IOMMU group ({Groups(groups)}): each can be given to a guest by itself."));
            return;
        }

        string examples = string.Join("; ", shared.Take(3)) + (shared.Count > 3 ? "; …" : "");
        checks.Fail(VfIsolationId, target, string.Create(CultureInfo.InvariantCulture,
            $"{sharing} of {vfs.Count} VFs are not alone in their IOMMU group ({examples}): vfio gives a whole group to one guest, " +
            $"so such a VF cannot be passed by itself (the NIC, or a bridge above it, lacks ACS)."),
            "Put the NIC in a slot whose PCIe root port supports ACS (often one wired to the CPU), or give each shared group whole to one guest.");
    }

    public static void BarSpace(HostCheckList checks, HostFileSystem files, SriovPf pf, KernelCommandLine? commandLine)
    {
        string target = pf.ToString();
        string path = PfChecks.Device(pf) + "/resource";
        string? text = HostText.Read(files, path);
        var lines = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (lines.Length < FirstIovResource + IovResourceCount)
        {
            checks.Skip(BarSpaceId, target, text is null
                ? $"Not judged: {path} could not be read."
                : $"Not judged: {path} lists no SR-IOV BARs (a kernel without SR-IOV support).");
            return;
        }

        for (int index = FirstIovResource; index < FirstIovResource + IovResourceCount; index++)
        {
            var columns = lines[index].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length == 3 && IsAssigned(columns[0], columns[2]))
            {
                checks.Pass(BarSpaceId, target, string.Create(CultureInfo.InvariantCulture,
                    $"The VF BARs have address space (VF BAR {index - FirstIovResource} at {columns[0]}–{columns[1]} in {path})."));
                return;
            }
        }

        if (pf.NumVfs > 0)
        {
            checks.Pass(BarSpaceId, target, string.Create(CultureInfo.InvariantCulture, $"{pf.NumVfs} VFs exist, so their BARs have address space."));
            return;
        }

        bool realloc = commandLine?.Options("pci").Any(o => o is "realloc" or "realloc=on") == true;
        checks.Fail(BarSpaceId, target,
            $"None of the VF BARs of {PfChecks.Label(pf)} has address space (lines {FirstIovResource + 1}–{FirstIovResource + IovResourceCount} " +
            $"of {path} are empty): the firmware left too little room, so enabling VFs fails (\"not enough MMIO resources for SR-IOV\").",
            realloc
                ? "pci=realloc is already on the kernel command line: turn on SR-IOV and large BAR (above 4G decoding) support in the firmware setup."
                : "Add pci=realloc to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, regenerate grub.cfg (update-grub, or grub2-mkconfig), and reboot.");
    }

    /// <summary>
    /// Whether a resource line describes a BAR with an address: present (flags set), placed (start not
    /// 0) and not marked IORESOURCE_UNSET, which the kernel sets when it found no room for it.
    /// </summary>
    private static bool IsAssigned(string start, string flags) =>
        TryHex(flags, out ulong bits) && bits != 0 && (bits & IoResourceUnset) == 0 && TryHex(start, out ulong address) && address != 0;

    private static bool TryHex(string text, out ulong value) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);

    /// <summary>Group numbers as a range when they run without gaps (39–45), else listed.</summary>
    private static string Groups(List<int> groups) =>
        groups.Count > 2 && groups[^1] - groups[0] == groups.Count - 1
            ? string.Create(CultureInfo.InvariantCulture, $"groups {groups[0]}–{groups[^1]}")
            : (groups.Count == 1 ? "group " : "groups ") + string.Join(", ", groups.Take(8)) + (groups.Count > 8 ? ", …" : "");
}
