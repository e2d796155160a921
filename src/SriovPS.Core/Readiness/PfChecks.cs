using SriovPS.Boot;
using SriovPS.Consumers;
using SriovPS.Discovery;
using SriovPS.Native.Files;
using SriovPS.Persistence;
using SriovPS.VfDriver;

namespace SriovPS.Readiness;

/// <summary>
/// Per PF: SR-IOV capability, its driver, VFs enabled and kept across a reboot, the link libvirt
/// needs up, and (in <see cref="PfResourceChecks"/>) VF isolation and BAR space.
/// </summary>
internal static class PfChecks
{
    public const string CapableId = "Pf.SriovCapable";
    public const string DriverId = "Pf.Driver";
    public const string VfsEnabledId = "Pf.VfsEnabled";
    public const string VfCountPersistedId = "Pf.VfCountPersisted";
    public const string LinkUpId = "Pf.LinkUp";

    /// <summary>Adds the checks of one PF.</summary>
    /// <param name="vfs">The PF's VFs as they are now.</param>
    /// <param name="udevRules">The module's udev rules file, read once for all PFs.</param>
    /// <param name="pooled">Whether a libvirt pool hands out VFs of the PF (false when libvirt was not read).</param>
    /// <param name="consumer">What the VFs are for: it decides which of the checks are made, and what a PF down means.</param>
    public static void Run(
        HostCheckList checks, HostFileSystem files, SriovPf pf, IReadOnlyList<SriovVf> vfs, KernelCommandLine? commandLine, bool iommuOn, string? udevRules,
        bool pooled = false, SriovConsumer consumer = SriovConsumer.Libvirt)
    {
        string target = pf.ToString();
        string label = Label(pf);
        if (pf.SriovSupport == SriovSupport.NotCapable)
        {
            string why = pf.TotalVfs == 0 && files.Exists(Device(pf) + "/sriov_totalvfs")
                ? $"{label} reports sriov_totalvfs 0: SR-IOV is turned off for the device"
                : $"{label} has no SR-IOV capability (no sriov_totalvfs)";
            checks.Fail(CapableId, target, why + ", so it cannot create VFs.",
                "Turn SR-IOV on for the NIC in the firmware (BIOS/UEFI) or the NIC's own setup, or use an SR-IOV NIC.");
            return;
        }

        checks.Pass(CapableId, target, string.Create(CultureInfo.InvariantCulture,
            $"{label}{Model(pf)} can create {pf.TotalVfs} VFs."));
        if (pf.Driver is null)
        {
            string module = new PciDriverAvailability(files).DefaultModule(pf.PciAddress) is { } name ? $"modprobe {name}" : "load the NIC's driver (modprobe)";
            checks.Fail(DriverId, target, $"No driver is bound to {label}: VFs are created through the PF's driver (sriov_numvfs).",
                $"Bind the PF's driver: {module}.");
            checks.Skip(VfsEnabledId, target, $"Not judged: no driver ({DriverId}).");
            return;
        }

        checks.Pass(DriverId, target, $"{label} is bound to {pf.Driver}.");
        VfsEnabled(checks, pf, target);
        VfCountPersisted(checks, files, pf, target, commandLine, udevRules, consumer);
        LinkUp(checks, files, pf, target, pooled, consumer);
        var wanted = ConsumerChecks.For(consumer);
        if (wanted.Has(PfResourceChecks.VfIsolationId))
        {
            PfResourceChecks.VfIsolation(checks, files, pf, vfs, iommuOn);
        }

        if (wanted.Has(PfResourceChecks.BarSpaceId))
        {
            PfResourceChecks.BarSpace(checks, files, pf, commandLine);
        }
    }

    private static void VfsEnabled(HostCheckList checks, SriovPf pf, string target)
    {
        string counts = string.Create(CultureInfo.InvariantCulture, $"{pf.NumVfs} of {pf.TotalVfs} VFs");
        if (pf.NumVfs > 0)
        {
            checks.Pass(VfsEnabledId, target, $"{counts} are enabled.");
            return;
        }

        checks.Warn(VfsEnabledId, target, $"No VFs are enabled ({counts}): a pool or guest on {target} has nothing to use.",
            VfCommand(pf, "Enable-SriovVf", string.Create(CultureInfo.InvariantCulture, $"-Count {pf.TotalVfs} -Persist")));
    }

    private static void VfCountPersisted(
        HostCheckList checks, HostFileSystem files, SriovPf pf, string target, KernelCommandLine? commandLine, string? udevRules, SriovConsumer consumer)
    {
        string rules = UdevVfRules.HostPath;
        int? atBoot = UdevVfRules.Find(udevRules, pf.PciAddress)?.NumVfs;
        string? where = atBoot is null ? null : rules;
        if (atBoot is null && VfCountSources.Find(files, pf, commandLine) is { } other)
        {
            checks.Pass(VfCountPersistedId, target, string.Create(CultureInfo.InvariantCulture,
                $"{pf.NumVfs} VFs now; {other} sets the VF count at boot (configuration SriovPS does not manage, not compared)."));
            return;
        }

        int boot = atBoot ?? 0;
        if (boot == pf.NumVfs)
        {
            checks.Pass(VfCountPersistedId, target, pf.NumVfs == 0
                ? "No VFs now and none at boot: nothing to keep."
                : string.Create(CultureInfo.InvariantCulture, $"{pf.NumVfs} VFs now, and {where} makes {boot} at boot."));
            return;
        }

        string bootText = atBoot is null
            ? "nothing makes VFs at boot (no udev rule for it)"
            : string.Create(CultureInfo.InvariantCulture, $"{where} makes {boot} at boot");
        string remedy = pf.NumVfs > 0
            ? VfCommand(pf, "Enable-SriovVf", string.Create(CultureInfo.InvariantCulture, $"-Count {pf.NumVfs} -Persist"))
            : VfCommand(pf, "Disable-SriovVf", "-Persist");
        string lost = boot >= pf.NumVfs ? "."
            : consumer == SriovConsumer.Libvirt ? ", and guests given the others cannot start."
            : ", and the others are gone.";
        checks.Warn(VfCountPersistedId, target, string.Create(CultureInfo.InvariantCulture,
            $"{pf.NumVfs} VFs now, but {bootText}: after a reboot {target} has {boot}{lost}"),
            remedy);
    }

    private static void LinkUp(HostCheckList checks, HostFileSystem files, SriovPf pf, string target, bool pooled, SriovConsumer consumer)
    {
        if (pf.Name is not { } name)
        {
            checks.Skip(LinkUpId, target, $"Not judged: {pf.PciAddress} has no network interface.");
            return;
        }

        string net = "/sys/class/net/" + name;
        int flags = SriovDiscovery.ReadHex(files, net, "flags");
        if (flags < 0)
        {
            checks.Skip(LinkUpId, target, $"Not judged: {net}/flags could not be read.");
            return;
        }

        string operState = files.ReadAttribute(net + "/operstate")?.Trim() ?? "unknown";
        // Docker's plugin takes a VF whenever a container asks, and a VF carries no traffic while its PF is down.
        bool needed = pooled || consumer == SriovConsumer.Docker;
        if ((flags & SriovDiscovery.IffUp) == 0 && pf.NumVfs == 0 && !needed)
        {
            // A spare port kept down harms nothing yet; -Fix leaves it alone (no repair named).
            checks.Warn(LinkUpId, target,
                $"{name} is administratively down (flags 0x{flags:x}, operstate {operState}), but it has no VFs and no pool uses it: " +
                "nothing needs it now. " + (consumer == SriovConsumer.Libvirt
                    ? "Once it gives VFs, libvirt refuses them while it is down (\"the PF is not online\")."
                    : "Once it gives VFs, they carry no traffic while it is down."),
                $"Set-SriovPf -Name {name} -LinkState Up -Persist");
            return;
        }

        if ((flags & SriovDiscovery.IffUp) == 0)
        {
            string consequence = consumer == SriovConsumer.Libvirt
                ? $"libvirt refuses its VFs when a guest starts (\"Unable to configure VF 0 of PF '{name}' because the PF is not online\")"
                : "its VFs carry no traffic while it is down";
            checks.Fail(LinkUpId, target,
                $"{name} is administratively down (flags 0x{flags:x}, operstate {operState}): {consequence}.",
                $"Set-SriovPf -Name {name} -LinkState Up -Persist",
                new HostRepair(HostRepairKind.PfLinkUp, name));
            return;
        }

        if (operState is "down" or "lowerlayerdown")
        {
            checks.Warn(LinkUpId, target,
                $"{name} is up but has no link (operstate {operState}): guests start, but their VFs reach nothing until it has one.",
                $"Check the cable and the switch port of {name}.");
            return;
        }

        checks.Pass(LinkUpId, target, $"{name} is up (operstate {operState}).");
    }

    /// <summary>A VF count command for the PF: by name, or through Get-SriovPf for a PF without an interface.</summary>
    internal static string VfCommand(SriovPf pf, string command, string arguments) => pf.Name is { } name
        ? $"{command} -PfName {name} {arguments}"
        : $"Get-SriovPf -PciAddress {pf.PciAddress} | {command} {arguments}";

    internal static string Label(SriovPf pf) => pf.Name is null ? pf.PciAddress : $"{pf.Name} ({pf.PciAddress})";

    internal static string Device(SriovPf pf) => SriovDiscovery.PciDevices + "/" + pf.PciAddress;

    private static string Model(SriovPf pf) => pf.DeviceName is { } device ? $", {pf.VendorName} {device}," : "";
}
