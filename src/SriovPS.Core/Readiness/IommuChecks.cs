using SriovPS.Boot;
using SriovPS.Native.Files;

namespace SriovPS.Readiness;

/// <summary>
/// Whether the IOMMU is on (live: its units and groups in sysfs; then the kernel command line and the
/// platform say why not), whether host devices bypass it (<c>iommu=pt</c>), and whether interrupts are
/// remapped (without that, vfio refuses devices unless told to accept unsafe interrupts).
/// </summary>
internal static class IommuChecks
{
    public const string EnabledId = "Iommu.Enabled";
    public const string PassthroughId = "Iommu.Passthrough";
    public const string InterruptRemappingId = "Iommu.InterruptRemapping";

    internal const string GroupsPath = "/sys/kernel/iommu_groups";
    internal const string UnitsPath = "/sys/class/iommu";
    private const string FirmwareRemedyIntel = "Enable VT-d (Intel Virtualization Technology for Directed I/O) in the firmware setup, then reboot.";
    private const string FirmwareRemedyAmd = "Enable the IOMMU (AMD-Vi) in the firmware setup, then reboot.";
    private const string CommandLineRemedy = "Enable-SriovIommu, then reboot.";
    private const string UnsafeInterruptsParameter = "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";

    /// <summary>Adds the three IOMMU checks; returns whether the IOMMU is on.</summary>
    /// <param name="vfioRequired">
    /// Whether the consumer opens VFs through vfio itself (Kata, KubeVirt): then interrupts neither remapped nor
    /// accepted unsafely are a failure, since vfio refuses every VF.
    /// </param>
    public static bool Run(HostCheckList checks, HostFileSystem files, string target, KernelCommandLine? commandLine, bool vfioRequired = false)
    {
        var groups = NumericNames(files.ListNames(GroupsPath));
        var units = files.ListNames(UnitsPath);
        units.Sort(StringComparer.Ordinal);
        // Groups without an IOMMU unit are vfio's no-IOMMU mode, which isolates nothing.
        bool enabled = groups.Count > 0 && units.Count > 0;
        if (enabled)
        {
            checks.Pass(EnabledId, target, string.Create(
                CultureInfo.InvariantCulture, $"The IOMMU is on: {string.Join(", ", units)} in {UnitsPath}, {groups.Count} IOMMU groups in {GroupsPath}."));
        }
        else if (groups.Count > 0)
        {
            checks.Fail(EnabledId, target, string.Create(CultureInfo.InvariantCulture,
                $"There is no IOMMU ({UnitsPath} lists none), yet {groups.Count} IOMMU groups exist: vfio's no-IOMMU mode " +
                $"(enable_unsafe_noiommu_mode), which gives devices to user space without isolation and cannot give them to guests."),
                "Turn the IOMMU on (Enable-SriovIommu, and VT-d or AMD-Vi in the firmware setup), then reboot.",
                HostRepair.KernelCommandLine);
        }
        else
        {
            var (finding, remedy) = WhyOff(files, commandLine, units.Count);
            checks.Fail(EnabledId, target, finding, remedy, remedy == CommandLineRemedy ? HostRepair.KernelCommandLine : null);
        }

        if (!enabled)
        {
            checks.Skip(PassthroughId, target, $"Not judged: the IOMMU is off ({EnabledId}).");
            checks.Skip(InterruptRemappingId, target, $"Not judged: the IOMMU is off ({EnabledId}).");
            return false;
        }

        Passthrough(checks, files, target, commandLine, groups[0]);
        InterruptRemapping(checks, files, target, commandLine, vfioRequired);
        return true;
    }

    private static (string Finding, string Remedy) WhyOff(HostFileSystem files, KernelCommandLine? commandLine, int units)
    {
        string evidence = $"{GroupsPath} is empty" + (units == 0 ? $" and {UnitsPath} lists no IOMMU" : "");
        if (commandLine is null)
        {
            return ($"The IOMMU is off: {evidence}, and the kernel command line ({KernelCommandLine.HostPath}) could not be read; " +
                "no VF can be given to a guest.", CommandLineRemedy);
        }

        // A contrary word wins over the platform's default; intel_iommu= means nothing on AMD and amd_iommu= nothing on Intel.
        var (vendor, platform) = IommuPlatform.Detect(files);
        foreach (var (key, option) in new[] { ("intel_iommu", "off"), ("amd_iommu", "off"), ("iommu", "off") })
        {
            if ((key == "intel_iommu" && vendor == IommuVendor.Amd) || (key == "amd_iommu" && vendor == IommuVendor.Intel))
            {
                continue;
            }

            if (commandLine.Last(key, option, "on", "pt", "force") == option)
            {
                return ($"The IOMMU is off: {evidence}, and the kernel command line turns it off ({KernelCommandLine.Word(key, option)}); " +
                    "no VF can be given to a guest.", CommandLineRemedy);
            }
        }

        if (vendor == IommuVendor.Amd)
        {
            return ($"The IOMMU is off: {evidence}, although {platform} and nothing on the kernel command line turns it off " +
                "(on AMD it is on by default; amd_iommu=on is not a valid option): the IOMMU is disabled in the firmware.", FirmwareRemedyAmd);
        }

        if (commandLine.Last("intel_iommu", "on", "off") == "on")
        {
            string firmware = files.Exists("/sys/firmware/acpi/tables/DMAR")
                ? "the kernel did not take the firmware's DMAR table (see the DMAR lines of dmesg)"
                : "VT-d is disabled in the firmware, which offers no DMAR table";
            return ($"The IOMMU is off: {evidence}, although the kernel command line has intel_iommu=on: {firmware}.", FirmwareRemedyIntel);
        }

        string why = vendor == IommuVendor.Intel ? $"{platform}, and " : "";
        return ($"The IOMMU is off: {evidence}; {why}the kernel command line lacks intel_iommu=on, without which Intel VT-d stays off; " +
            "no VF can be given to a guest.", CommandLineRemedy);
    }

    private static void Passthrough(HostCheckList checks, HostFileSystem files, string target, KernelCommandLine? commandLine, int group)
    {
        // Live first: the default domain type the kernel gave the groups, then the command line.
        string? type = files.ReadAttribute($"{GroupsPath}/{group}/type")?.Trim();
        bool onCommandLine = commandLine?.Last("iommu", "pt", "nopt") == "pt";
        if (type == "identity")
        {
            string source = onCommandLine ? "iommu=pt is on the kernel command line" : "the kernel's default";
            checks.Pass(PassthroughId, target, string.Create(
                CultureInfo.InvariantCulture, $"Host devices bypass IOMMU translation: IOMMU group {group} is of type identity ({source})."));
            return;
        }

        if (type is null && onCommandLine)
        {
            checks.Pass(PassthroughId, target, "Host devices bypass IOMMU translation: iommu=pt is on the kernel command line.");
            return;
        }

        string evidence = type is null
            ? "the kernel command line lacks iommu=pt"
            : string.Create(CultureInfo.InvariantCulture, $"IOMMU group {group} is of type {type}") +
                (onCommandLine ? ", although the kernel command line has iommu=pt" : "; the kernel command line lacks iommu=pt");
        checks.Warn(PassthroughId, target,
            $"Host devices' DMA is translated by the IOMMU ({evidence}): safe, but it costs the host's own I/O some speed. " +
            "VFs given to guests are not affected; this is a performance choice.",
            "Enable-SriovIommu (adds iommu=pt), then reboot.",
            HostRepair.KernelCommandLine);
    }

    private static void InterruptRemapping(HostCheckList checks, HostFileSystem files, string target, KernelCommandLine? commandLine, bool vfioRequired)
    {
        string? interrupts = HostText.Read(files, "/proc/interrupts");
        if (interrupts is null)
        {
            checks.Skip(InterruptRemappingId, target,
                "Not judged: interrupt remapping is seen in /proc/interrupts, which only the live host has.");
            return;
        }

        var chips = interrupts.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(word => word.StartsWith("IR-", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Take(3)
            .ToList();
        if (chips.Count > 0)
        {
            checks.Pass(InterruptRemappingId, target, $"Interrupts are remapped: /proc/interrupts shows {string.Join(", ", chips)} interrupts.");
            return;
        }

        string? unsafeSource = UnsafeInterruptsSource(files, commandLine);
        if (unsafeSource is not null)
        {
            checks.Warn(InterruptRemappingId, target,
                $"Interrupts are not remapped (no IR- interrupts in /proc/interrupts), and vfio accepts devices anyway because " +
                $"allow_unsafe_interrupts is set ({unsafeSource}): a guest given a VF could send forged interrupts (MSI writes) " +
                "to the host. Acceptable only for trusted guests.",
                "Enable interrupt remapping in the firmware (part of VT-d or AMD-Vi, with x2APIC), then drop allow_unsafe_interrupts.");
            return;
        }

        Action<string, string, string, string, HostRepair?> judge = vfioRequired ? checks.Fail : checks.Warn;
        judge(InterruptRemappingId, target,
            "Interrupts are not remapped (no IR- interrupts in /proc/interrupts): vfio refuses to give devices to guests " +
            "(\"No interrupt remapping support\") unless vfio_iommu_type1 allow_unsafe_interrupts=1 is set, which lets a guest " +
            "send forged interrupts (MSI writes) to the host.",
            "Enable interrupt remapping in the firmware (part of VT-d or AMD-Vi, with x2APIC); for trusted guests only, " +
            "add 'options vfio_iommu_type1 allow_unsafe_interrupts=1' to /etc/modprobe.d/iommu_unsafe_interrupts.conf.",
            null);
    }

    /// <summary>Where allow_unsafe_interrupts is set: the loaded module, then the command line, then modprobe.d.</summary>
    private static string? UnsafeInterruptsSource(HostFileSystem files, KernelCommandLine? commandLine)
    {
        if (files.ReadAttribute(UnsafeInterruptsParameter)?.Trim() is "Y" or "1")
        {
            return UnsafeInterruptsParameter + " is Y";
        }

        if (commandLine?.Options("vfio_iommu_type1.allow_unsafe_interrupts").LastOrDefault() is "1" or "Y" or "y")
        {
            return "on the kernel command line";
        }

        foreach (var name in HostText.ConfFiles(files, "/etc/modprobe.d"))
        {
            string path = "/etc/modprobe.d/" + name;
            foreach (var (number, line) in HostText.ConfigLines(HostText.Read(files, path)))
            {
                var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 3 && words[0] == "options" && words[1].Replace('-', '_') == "vfio_iommu_type1"
                    && words.Skip(2).Any(w => w is "allow_unsafe_interrupts=1" or "allow_unsafe_interrupts=Y"))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{path} line {number}");
                }
            }
        }

        return null;
    }

    private static List<int> NumericNames(List<string> names)
    {
        var numbers = new List<int>(names.Count);
        foreach (var name in names)
        {
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                numbers.Add(number);
            }
        }

        numbers.Sort();
        return numbers;
    }
}
