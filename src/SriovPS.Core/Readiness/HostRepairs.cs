using SriovPS.AppArmor;
using SriovPS.Boot;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Persistence;
using SriovPS.PfSettings;
using SriovPS.Plans;

namespace SriovPS.Readiness;

/// <summary>
/// The repairs as steps: <c>Enable-SriovIommu</c>, <c>Repair-VfioAppArmor</c>, and the link of a PF
/// brought up and persisted; <c>Test-SriovHost -Fix</c> plans the ones its checks name.
/// </summary>
internal sealed class HostRepairs(HostFileSystem files, KernelLinks? links)
{
    /// <summary>The repairs of a command's host; a PF's link is brought up on the live host only.</summary>
    public HostRepairs(HostSession session)
        : this(session.Files, session.KernelLinks)
    {
    }

    /// <summary>The repairs <paramref name="checks"/> name, once each, in the order of the checks.</summary>
    public static List<HostRepair> Named(IEnumerable<SriovHostCheck> checks) =>
        checks.Where(c => c.Status is SriovCheckStatus.Fail or SriovCheckStatus.Warning && c.Repair is not null)
            .Select(c => c.Repair!)
            .Distinct()
            .ToList();

    /// <summary>
    /// The steps of <paramref name="repairs"/> (<c>Test-SriovHost -Fix</c>): the kernel words and vfio
    /// modules in one Enable-SriovIommu, Repair-VfioAppArmor for the pools' groups, each PF's link.
    /// </summary>
    /// <param name="repairs">From <see cref="Named"/>.</param>
    /// <param name="poolGroups">The vfio groups of the VFs this machine's pools hand out; <c>null</c> when its libvirt was not read.</param>
    /// <param name="driverOf">A PF's driver by its interface name, for the messages of a refused link change.</param>
    public ChangePlan For(IReadOnlyList<HostRepair> repairs, IReadOnlyList<VfioGroupNeed>? poolGroups, System.Func<string, string?> driverOf)
    {
        var plan = new ChangePlan();
        bool commandLine = repairs.Any(r => r.Kind == HostRepairKind.KernelCommandLine);
        bool modules = repairs.Any(r => r.Kind == HostRepairKind.VfioModules);
        if (commandLine || modules)
        {
            plan.Add(Iommu([], commandLine, modules, regenerate: true));
        }

        if (repairs.Any(r => r.Kind == HostRepairKind.VfioAppArmor))
        {
            if (poolGroups is not null)
            {
                plan.Add(VfioAppArmor(poolGroups, allGroups: false));
            }
            else
            {
                plan.Report.Warn("Repair-VfioAppArmor is not run: the groups it allows are those of the VFs this machine's SR-IOV pools hand out, and its libvirt was not read.");
            }
        }

        foreach (var repair in repairs.Where(r => r.Kind == HostRepairKind.PfLinkUp))
        {
            plan.Add(PfLinkUp(repair.PfName!, driverOf(repair.PfName!)));
        }

        return plan;
    }

    /// <summary>The kernel words and/or vfio modules, then GRUB's configuration regenerated (live host, unless <paramref name="regenerate"/> is false).</summary>
    public ChangePlan Iommu(IReadOnlyList<ModuleMaxVfs> maxVfs, bool commandLine, bool modules, bool regenerate)
    {
        var setup = IommuSetup.Plan(files, maxVfs, commandLine, modules);
        var plan = new ChangePlan();
        setup.Notes.ForEach(plan.Report.Note);
        setup.Warnings.ForEach(plan.Report.Warn);
        setup.Problems.ForEach(plan.Report.Fail);

        var grubStep = plan.AddEdit(setup.Grub);
        plan.AddEdit(setup.Modules);
        if (setup.Grub is not { } grub)
        {
            return plan;
        }

        var regenerator = setup.Regenerator;
        bool behind = regenerator?.IsBehind(files) == true && !grub.Changes;
        if (!grub.Changes && !behind)
        {
            return plan;
        }

        if (!regenerate)
        {
            plan.Report.Note($"-NoRegenerate: GRUB's configuration is not regenerated; run {regenerator?.CommandLine ?? "update-grub (or grub2-mkconfig -o FILE)"} before the reboot.");
        }
        else if (!files.IsLiveHost)
        {
            plan.Report.Warn($"The GRUB configuration of the copied host tree '{files.Root}' is not regenerated from its {GrubCommandLine.HostPath} here: run {regenerator?.CommandLine ?? "update-grub"} on that system.");
        }
        else if (regenerator is null)
        {
            plan.Report.Fail(new SriovException(
                ErrorCatalog.GrubRegeneratorNotFound,
                $"Neither update-grub nor grub2-mkconfig nor grub-mkconfig is installed, so GRUB's configuration cannot be regenerated from {GrubCommandLine.HostPath}.",
                GrubCommandLine.HostPath,
                "Regenerate the boot loader's configuration as this distribution does, then reboot."));
        }
        else
        {
            if (behind)
            {
                plan.Report.Note($"{regenerator.ConfigPath} is older than {GrubCommandLine.HostPath}: an earlier change was not regenerated.");
            }

            // Behind: regenerated whatever becomes of the edit; otherwise only after it.
            plan.Add(new PlanStep(
                regenerator.ConfigPath,
                $"regenerate with {regenerator.CommandLine}",
                context =>
                {
                    regenerator.Run(context.Cancellation);
                    return new SriovHostChange(regenerator.ConfigPath, true, $"regenerated by {regenerator.CommandLine}", [], [], null, true);
                })
            {
                After = behind || grubStep is null ? [] : [grubStep],
            });
        }

        return plan;
    }

    /// <summary>The AppArmor rules for <paramref name="needs"/> (or every group), then the running guests' profiles reloaded.</summary>
    public ChangePlan VfioAppArmor(IReadOnlyList<VfioGroupNeed> needs, bool allGroups)
    {
        var plan = new ChangePlan();
        VfioAppArmorPlan apparmor;
        try
        {
            apparmor = AppArmor.VfioAppArmor.Plan(files, needs, allGroups);
        }
        catch (SriovException e)
        {
            // A file that cannot be read is this repair's failure, reported like the others; nothing was written.
            plan.Report.Fail(e);
            return plan;
        }

        apparmor.Refusals.ForEach(plan.Report.Fail);
        if (apparmor.Local is null)
        {
            plan.Report.Warn($"Nothing to repair: {apparmor.NotConfined}.");
            return plan;
        }

        apparmor.Notes.ForEach(plan.Report.Note);
        if (apparmor.NotConfined is { } why)
        {
            plan.Report.Warn($"AppArmor is not in use for QEMU here: {why}. The rules are written for when it is.");
        }

        var local = plan.AddEdit(apparmor.Local);

        // An include of a file that is not there fails every guest's profile: asked only once it exists.
        var include = plan.AddEdit(apparmor.Abstraction, local is null ? null : [local]);
        if (apparmor.AddsGroupRules)
        {
            plan.Report.Warn("IOMMU group numbers can change when VFs are created again (Disable-SriovVf and Enable-SriovVf, a reboot): run Repair-VfioAppArmor again then; Test-SriovHost flags stale rules (Libvirt.AppArmorStaleRules).");
        }

        if (plan.Steps.Count == 0 || apparmor.NotConfined is not null || !files.IsLiveHost)
        {
            return plan;
        }

        if (AppArmorReload.Parser(files) is not { } parser)
        {
            plan.Report.Warn("apparmor_parser is not installed, so the running guests keep their rules until they are started again; guests started from now on read the new ones.");
            return plan;
        }

        var profiles = AppArmorReload.GuestProfiles(files);
        if (profiles.Count == 0)
        {
            plan.Report.Note("No guest runs under a libvirt AppArmor profile now; guests started from now on read the new rules.");
            return plan;
        }

        plan.Add(new PlanStep(
            string.Join(", ", profiles),
            $"reload the running guests' AppArmor profiles ({parser} --replace)",
            context =>
            {
                AppArmorReload.Run(parser, profiles, context.Cancellation);
                return null;
            })
        {
            After = [.. new[] { local, include }.OfType<PlanStep>()],
        });
        return plan;
    }

    /// <summary>The PF's link brought up now and, in the host's network configuration, at boot.</summary>
    public ChangePlan PfLinkUp(string name, string? driver)
    {
        var plan = new ChangePlan();
        if (links is null || !files.IsLiveHost)
        {
            plan.Report.Fail(new SriovException(
                ErrorCatalog.LiveHostRequired,
                $"{name} belongs to the copied host tree '{files.Root}': its link can only be brought up by the running kernel.",
                name,
                $"Leave out -HostRoot and $env:{HostContext.RootVariable} to work on this machine."));
            return plan;
        }

        // The file records the link as asked: not when bringing it up was declined or failed.
        PlanStep? linkStep = null;
        if (PfLinkPlan.For(links, name, true, null) is { Changes.Count: > 0 } link)
        {
            linkStep = plan.Add(new PlanStep(name, $"ip link set {name} up", _ =>
            {
                new PfLinkWriter(links).Apply(name, driver, link);
                return null;
            }));
        }

        var manager = NetworkManagerDetection.Detect(files);
        if (manager.Manager == HostNetworkManager.None)
        {
            plan.Report.Warn($"{name} is not brought up at boot by any configuration: this host has {manager.Description}.");
            return plan;
        }

        // The PF may be the management NIC too: a file of ours beside its own configuration could take its
        // address away at the next boot, so the repair leaves its boot configuration to that one.
        PfNetworkConflicts? others;
        try
        {
            others = PfNetworkConflicts.FindOnHost(files, links, name, files.ReadAttribute($"/sys/class/net/{name}/address"));
        }
        catch (SriovException e)
        {
            plan.Report.Fail(e);
            return plan;
        }
        catch (System.ArgumentException)
        {
            plan.Report.Warn($"{name} is not configured to come up at boot: its name cannot be written into a network configuration file safely.");
            return plan;
        }

        if (others is null)
        {
            plan.Report.Warn($"{name} is not configured to come up at boot: its addresses could not be read, so whether a file of SriovPS would take one away is not known.");
            return plan;
        }

        if (others.Any)
        {
            plan.Report.Warn(
                $"{name} is not configured to come up at boot by SriovPS: it is configured elsewhere ({string.Join("; ", others.Found.Select(f => f.Description))}). " +
                $"Bring it up at boot there (Set-SriovPf {name} -LinkState Up -Persist -Force writes a file that keeps what that sets, where one can).");
            return plan;
        }

        PfNetworkPersistence persisted;
        try
        {
            persisted = PfNetworkPersistence.Plan(files, manager.Manager, name, true, null);
        }
        catch (SriovException e)
        {
            plan.Report.Fail(e);
            return plan;
        }

        if (persisted.Warning is not null)
        {
            plan.Report.Warn(persisted.Warning);
        }

        if (persisted.Changes)
        {
            plan.Add(new PlanStep(persisted.File.HostPath, persisted.Description, _ =>
            {
                persisted.Commit();
                return new SriovHostChange(persisted.File.HostPath, true, persisted.Description, [], [], persisted.File.BackupHostPath, false);
            })
            {
                After = linkStep is null ? [] : [linkStep],
            });
        }

        return plan;
    }
}
