using SriovPS.Native.Files;

namespace SriovPS.Boot;

/// <summary>What <c>Enable-SriovIommu</c> would change, worked out before anything is written.</summary>
internal sealed class IommuSetupPlan
{
    /// <summary>The kernel command line in <c>/etc/default/grub</c>; <c>null</c> when not asked or it cannot be edited (see <see cref="Problems"/>).</summary>
    public HostFileEdit? Grub { get; init; }

    /// <summary>The vfio modules loaded at boot; <c>null</c> when not asked.</summary>
    public HostFileEdit? Modules { get; init; }

    /// <summary>The host's GRUB regenerator; <c>null</c> when it has none.</summary>
    public GrubRegenerator? Regenerator { get; init; }

    /// <summary>What was judged and why (the vendor, the words dropped), for -Verbose.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>What would keep the change from working, for warnings (a file in /etc/default/grub.d setting the key again).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Failures of one part; the other part still stands.</summary>
    public List<SriovException> Problems { get; } = [];
}

/// <summary>
/// The IOMMU and vfio made to come up at boot, as admins do by hand: the kernel words in
/// <c>/etc/default/grub</c> (<see cref="GrubCommandLine"/>) and the vfio modules in
/// <c>/etc/modules-load.d/vfio.conf</c> (<see cref="VfioModulesLoad"/>).
/// </summary>
internal static class IommuSetup
{
    private const string OverridesDirectory = "/etc/default/grub.d";

    public static IommuSetupPlan Plan(HostFileSystem files, IReadOnlyList<ModuleMaxVfs> maxVfs, bool commandLine = true, bool modules = true)
    {
        var notes = new List<string>();
        var warnings = new List<string>();
        var problems = new List<SriovException>();
        HostFileEdit? grub = null;
        if (commandLine)
        {
            try
            {
                grub = PlanGrub(files, maxVfs, notes, warnings);
            }
            catch (SriovException e)
            {
                problems.Add(e);
            }
        }

        HostFileEdit? moduleEdit = null;
        if (modules)
        {
            try
            {
                moduleEdit = PlanModules(files);
            }
            catch (SriovException e)
            {
                problems.Add(e);
            }
        }

        var plan = new IommuSetupPlan { Grub = grub, Modules = moduleEdit, Regenerator = GrubRegenerator.Detect(files) };
        plan.Notes.AddRange(notes);
        plan.Warnings.AddRange(warnings);
        plan.Problems.AddRange(problems);
        return plan;
    }

    private static HostFileEdit PlanGrub(HostFileSystem files, IReadOnlyList<ModuleMaxVfs> maxVfs, List<string> notes, List<string> warnings)
    {
        var file = new ConfigFile(files, GrubCommandLine.HostPath);
        string text = file.ReadText() ?? throw new SriovException(
            ErrorCatalog.GrubDefaultsNotFound,
            $"There is no {GrubCommandLine.HostPath}: this host does not boot with GRUB, so its kernel command line is kept elsewhere.",
            GrubCommandLine.HostPath,
            "Add intel_iommu=on (Intel) and iommu=pt to the host's kernel command line where its boot loader keeps it (systemd-boot: /etc/kernel/cmdline), then reboot.");

        var (vendor, evidence) = IommuPlatform.Detect(files);
        if (vendor == IommuVendor.Unknown)
        {
            throw new SriovException(
                ErrorCatalog.IommuVendorUnknown,
                $"Whether this host's IOMMU is Intel's or AMD's cannot be told ({evidence}: no DMAR or IVRS table in /sys/firmware/acpi/tables, and /proc/cpuinfo names neither), so the words the kernel needs are not known.",
                GrubCommandLine.HostPath,
                "Run it on an x86 host with VT-d or AMD-Vi; on others, enable the IOMMU as the platform's documentation says.");
        }

        notes.Add(vendor == IommuVendor.Intel
            ? $"The IOMMU is Intel's ({evidence}): the kernel needs intel_iommu=on."
            : $"The IOMMU is AMD's ({evidence}): it is on by default, so only iommu=pt is added.");

        var request = new KernelWordRequest(vendor, maxVfs);
        var edit = GrubCommandLine.Plan(text, request);
        notes.AddRange(edit.Removed.Select(r => "Dropping " + r + "."));
        warnings.AddRange(Overrides(files));
        if (GrubCommandLine.Read(edit.NewText) is not null
            && ShellAssignments.Evaluate(edit.NewText, ShellAssignments.Parse(edit.NewText)).GetValueOrDefault("GRUB_ENABLE_BLSCFG") == "true")
        {
            warnings.Add($"{GrubCommandLine.HostPath} has GRUB_ENABLE_BLSCFG=true: the boot entries in /boot/loader/entries keep their own options, which the GRUB configuration may not rewrite; after a reboot, Test-SriovHost shows whether the words arrived (grubby --update-kernel=ALL --args='...' sets them there).");
        }

        var running = KernelCommandLine.Read(files);
        bool runningLacks = running is not null && (request.Missing(running).Count > 0
            || running.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(w => request.Contrary(w) is not null));
        string wanted = string.Join(' ', request.Missing(new KernelCommandLine("")));
        string summary = edit.Changes
            ? string.Join("; ", new[]
              {
                  edit.Added.Count > 0 ? $"add {string.Join(' ', edit.Added)} to {GrubCommandLine.DefaultKey}" : null,
                  edit.Removed.Count > 0 ? $"remove {string.Join(", ", edit.Removed)}" : null,
              }.OfType<string>())
            : $"the kernel command line already has {wanted}" + (runningLacks ? "; the running kernel was booted without them" : "");
        return new HostFileEdit(file, text, edit.NewText, summary, edit.Changes || runningLacks);
    }

    private static HostFileEdit PlanModules(HostFileSystem files)
    {
        var file = new ConfigFile(files, VfioModulesLoad.HostPath);
        string? text = file.ReadText();
        var (newText, added) = VfioModulesLoad.Plan(text);
        bool loaded = VfioModulesLoad.Modules.All(m => files.Exists("/sys/module/" + m));
        string summary = added.Count > 0
            ? $"load {string.Join(' ', added)} at boot" + (loaded ? "" : " (or now: modprobe vfio-pci)")
            : $"already loads {HostText.Join(VfioModulesLoad.Modules)} at boot";
        return new HostFileEdit(file, text, newText, summary, !loaded);
    }

    /// <summary>Files in /etc/default/grub.d that set GRUB_CMDLINE_LINUX_DEFAULT again: update-grub reads them after /etc/default/grub.</summary>
    private static IEnumerable<string> Overrides(HostFileSystem files)
    {
        foreach (var name in files.ListNames(OverridesDirectory).Where(n => n.EndsWith(".cfg", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string path = $"{OverridesDirectory}/{name}";
            string? text = HostText.Read(files, path);
            List<ShellAssignment> assignments;
            try
            {
                assignments = text is null ? [] : ShellAssignments.Parse(text);
            }
            catch (FormatException)
            {
                continue;
            }

            foreach (var assignment in assignments.Where(a => a.Key == GrubCommandLine.DefaultKey))
            {
                string value = text![assignment.ValueStart..assignment.ValueEnd];
                if (!value.Contains("$" + GrubCommandLine.DefaultKey, StringComparison.Ordinal) && !value.Contains("${" + GrubCommandLine.DefaultKey + "}", StringComparison.Ordinal))
                {
                    yield return $"{path} line {assignment.Line} sets {GrubCommandLine.DefaultKey} again ({value}), after {GrubCommandLine.HostPath}: the words added there are lost. Add them to that line too.";
                }
            }
        }
    }
}
