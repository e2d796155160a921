using SriovPS.AppArmor;
using SriovPS.Libvirt.Networks;
using SriovPS.PfSettings;
using SriovPS.Plans;
using SriovPS.Readiness;
using SriovPS.VfCount;
using SriovPS.VfDriver;

namespace SriovPS.Configuration;

/// <summary>
/// Plans <c>Set-SriovConfiguration</c> from the capabilities' own planners, in an order that works on a
/// real host: each PF's eswitch mode before its VFs exist, its VF count (re-created only when the count
/// changes, refused while a VF is held), its VFs' drivers, their settings, its link and MTU with their
/// files; then the pools, then the boot files. Steps on VFs that an earlier step creates are worked out
/// when they are made, from the VFs the kernel then has, and shown under -WhatIf from the document.
/// Refusals found while planning are collected: any of them and nothing is asked or made.
/// </summary>
internal sealed class ConfigurationPlanner(HostSession session, bool force)
{
    private readonly List<SriovException> _refusals = [];

    /// <summary>What planning refused; the plan is not to be run if there is any.</summary>
    public IReadOnlyList<SriovException> Refusals => _refusals;

    /// <param name="verify">Reads the host again once the steps are made and says what is not as the document asks.</param>
    public ChangePlan Plan(DesiredHost desired, bool rollBack, Func<SriovException?>? verify)
    {
        var plan = new ChangePlan
        {
            RollsBack = rollBack,
            StopsAtFirstFailure = true,
            SaysWhatWasTakenBack = true,
            Verify = verify,

            // A copied tree takes the files the document names; what only a kernel can do is refused once, at the end.
            LiveHostRefusal = result => new SriovException(
                ErrorCatalog.LiveHostRequired,
                $"The copied host tree '{session.Host.Root}' has no running kernel, so {result.RefusedOnTree.Count} step(s) were not made: {string.Join("; ", result.RefusedOnTree.Select(s => $"{s.Target}: {s.Action.Split('\n')[0]}"))}."
                    + (Written(result) is { Count: > 0 } written ? $" Written in the tree: {string.Join(", ", written)}." : " Nothing was written in the tree."),
                session.Host.Root,
                $"Leave out -HostRoot and $env:{HostContext.RootVariable} to apply the document to this machine."),
        };
        var countSteps = new Dictionary<string, PlanStep>(StringComparer.Ordinal);
        foreach (var pf in desired.Pfs)
        {
            // Drivers change eswitch mode only while the PF has no VFs: through 0, then the VFs created again.
            if (pf.Entry.EswitchMode is { } mode && ModeChangesWithVfs(pf, mode))
            {
                if (ThroughZero(plan, pf, mode) is { } recreated)
                {
                    countSteps[pf.Pf.PciAddress] = recreated;
                }
            }
            else
            {
                if (pf.Entry.EswitchMode is { } same)
                {
                    AddEswitchStep(plan, pf, same);
                }

                if (CountStep(plan, pf) is { } countStep)
                {
                    countSteps[pf.Pf.PciAddress] = countStep;
                }
            }

            var created = countSteps.TryGetValue(pf.Pf.PciAddress, out var made) ? made : null;
            AddDriverSteps(plan, pf, created);
            Add(plan, () => VfSettingsBatch.Step(session, pf, created is not null, created is null ? [] : [created]));
            var (up, mtu) = LinkAsked(pf);
            if (up is not null || mtu is not null)
            {
                var request = new PfSettingsRequest(up, mtu, null, null, pf.Entry.Persist, force);
                Add(plan, () => new PfSettingsPlanner(session, request).Plan(pf.Pf) ?? throw LinkUnread(pf));
            }
        }

        var poolSteps = new PoolSteps(session, _refusals);
        var pools = desired.Pools.Select(pool => poolSteps.Add(plan, pool, countSteps)).OfType<PlanStep>().ToList();
        if (desired.Boot is { } boot)
        {
            AddBootSteps(plan, desired, boot, pools, countSteps.Count > 0);
        }

        return plan;
    }

    /// <summary>The files a plan wrote in a copied tree: there, every step made is a file's.</summary>
    private static List<string> Written(PlanResult result) =>
        result.Made.Where(step => !result.Undone.Contains(step)).Select(step => step.Target).Distinct(StringComparer.Ordinal).ToList();

    private bool ModeChangesWithVfs(DesiredPf pf, EswitchMode mode) =>
        session.Host.IsLiveHost && pf.Pf.EswitchMode is { } now && now != mode && pf.Pf.NumVfs > 0;

    /// <summary>
    /// A mode change on a PF with VFs: its VFs removed (asked once more unless forced, refused while one is
    /// held), the mode set, then the count the document asks created, planned when that step is made.
    /// Returns the step that creates them, which the VFs' own steps follow.
    /// </summary>
    private PlanStep? ThroughZero(ChangePlan plan, DesiredPf pf, EswitchMode mode)
    {
        var entry = pf.Entry;
        int count = entry.NumVfs ?? pf.Pf.NumVfs;
        VfCountChangePlan? removed = null;
        Add(plan, () => (removed = new VfCountPlanner(session, new VfCountRequest(0, Disables: true, AskBeforeDestroying: !force, PrepareRulesFirst: false)).For(pf.Pf)).Plan);
        if (removed?.CountStep is not { } removal)
        {
            return null;
        }

        Add(plan, () => new PfSettingsPlanner(session, new PfSettingsRequest(null, null, mode, null)).Plan(pf.Pf));
        if (count == 0)
        {
            return null;
        }

        var request = new VfCountRequest(
            count, entry.DriversAutoprobe, PreserveSettings: false, AskBeforeDestroying: false, Persist: entry.Persist && entry.NumVfs is not null, PrepareRulesFirst: false);
        Action<StepContext>? undo = null;
        return plan.Add(new PlanStep(
            $"{pf.Pf.PciAddress} ({pf.Label})",
            $"create {count} VFs on {pf.Label} in {mode.ToString().ToLowerInvariant()} mode",
            context =>
            {
                var now = session.PfAt(pf.Pf.PciAddress) ?? throw PfErrors.Gone(pf.Pf);
                undo = InlinePlan.Make(new VfCountPlanner(session, request).For(now).Plan, context);
                return null;
            })
        {
            After = [removal],
            LiveHostOnly = "VFs can only be created and removed by the running kernel.",
            LiveHostLabel = pf.Label,
            Undo = c => undo?.Invoke(c),
        });
    }

    /// <summary>
    /// The eswitch mode by Set-SriovPf's planner. A live PF whose driver reports no mode has no embedded
    /// switch to set: legacy is what it is, and switchdev is refused before anything is changed.
    /// </summary>
    private void AddEswitchStep(ChangePlan plan, DesiredPf pf, EswitchMode mode)
    {
        if (session.Host.IsLiveHost && pf.Pf.EswitchMode is null)
        {
            if (mode == EswitchMode.Switchdev)
            {
                _refusals.Add(JsonFields.Problem(pf.Entry.At("eswitchMode"), $"{DesiredHost.Describe(pf.Pf)} reports no eswitch mode through devlink, so it cannot be put in switchdev mode: that needs a NIC with an embedded switch and its driver's support (mlx5_core, ice…)."));
            }
            else
            {
                plan.Report.Note($"{pf.Label} reports no eswitch mode ({pf.Pf.Driver ?? "its driver"} has no embedded switch to set): legacy is what it does; nothing sent.");
            }

            return;
        }

        Add(plan, () => new PfSettingsPlanner(session, new PfSettingsRequest(null, null, mode, null)).Plan(pf.Pf));
    }

    private void Add(ChangePlan plan, Func<ChangePlan?> planner)
    {
        try
        {
            if (planner() is { } part)
            {
                _refusals.AddRange(part.Report.Failures);
                part.Report.Failures.Clear();
                plan.Add(part);
            }
        }
        catch (SriovException e)
        {
            _refusals.Add(e);
        }
    }

    private void Add(ChangePlan plan, Func<PlanStep?> step)
    {
        try
        {
            if (step() is { } made)
            {
                plan.Add(made);
            }
        }
        catch (SriovException e)
        {
            _refusals.Add(e);
        }
    }

    /// <summary>
    /// The link settings to plan. On a copied tree Set-SriovPf's planner shows everything asked; here what
    /// the tree's sysfs already shows is left out, as Test-SriovConfiguration finds no drift in it, unless
    /// the entry persists the link (its file is written from both).
    /// </summary>
    private (bool? Up, int? Mtu) LinkAsked(DesiredPf pf)
    {
        var entry = pf.Entry;
        if (session.Host.IsLiveHost || entry.Persist || pf.Pf.Name is null)
        {
            return (entry.LinkUp, entry.Mtu);
        }

        bool? up = entry.LinkUp is bool want && pf.Pf.AdministrativelyUp == want ? null : entry.LinkUp;
        int? mtu = entry.Mtu is int wanted && pf.Pf.Mtu == wanted ? null : entry.Mtu;
        return (up, mtu);
    }

    private static SriovException LinkUnread(DesiredPf pf) => new(
        ErrorCatalog.KernelLinkUnreadable,
        $"The link of {pf.Label} could not be read, so its link state and MTU cannot be planned.",
        pf.Label,
        "Run the command again.");

    /// <summary>The count (and autoprobe) of the PF, with its udev line when the entry persists; the step that re-creates the VFs, if any.</summary>
    private PlanStep? CountStep(ChangePlan plan, DesiredPf pf)
    {
        var entry = pf.Entry;
        if (entry.NumVfs is null && entry.DriversAutoprobe is null)
        {
            return null;
        }

        int count = entry.NumVfs ?? pf.Pf.NumVfs;
        var request = new VfCountRequest(
            count, entry.DriversAutoprobe, Disables: count == 0, PreserveSettings: true, AskBeforeDestroying: !force, Persist: entry.Persist && entry.NumVfs is not null,
            PrepareRulesFirst: false);
        VfCountChangePlan? counted = null;
        Add(plan, () => (counted = new VfCountPlanner(session, request).For(pf.Pf)).Plan);
        return counted?.CountStep is { } step && pf.Pf.NumVfs != count ? step : null;
    }

    /// <summary>
    /// The VFs' drivers by Set-SriovVfDriver's planner (with its boot rules when the entry persists): planned
    /// now for VFs that stay, so holders are refused before anything is asked; for VFs an earlier step
    /// creates, one step per PF that plans them when it is made.
    /// </summary>
    private void AddDriverSteps(ChangePlan plan, DesiredPf pf, PlanStep? created)
    {
        var groups = pf.Vfs.Values.Where(v => v.NamesDriver).GroupBy(v => v.Driver).ToList();
        bool persist = pf.Entry.Persist;
        if (created is null)
        {
            var present = session.VfsOf(pf.Pf).ToDictionary(v => v.Index);
            foreach (var group in groups)
            {
                var targets = group.Select(v => present.GetValueOrDefault(v.Index)).OfType<SriovVf>().Select(v => (pf.Pf, v)).ToList();
                Add(plan, () => new VfDriverPlanner(session).For(targets, group.Key, persist).Plan);
            }

            return;
        }

        if (groups.Count == 0)
        {
            return;
        }

        string moves = string.Concat(groups.Select(g => $"\n  vf {VfIndexList(g.Select(v => v.Index).ToList())} → {g.Key ?? "its default driver"}"));
        Action<StepContext>? undo = null;
        plan.Add(new PlanStep($"{pf.Pf.PciAddress} ({pf.Label})", $"bind the new VFs of {pf.Label} to their drivers{(persist ? ", kept at boot" : string.Empty)}:{moves}", context =>
        {
            var now = session.PfAt(pf.Pf.PciAddress) ?? throw PfErrors.Gone(pf.Pf);
            var vfs = session.VfsOf(now).ToDictionary(v => v.Index);
            var undos = new List<Action<StepContext>>();
            try
            {
                foreach (var group in groups)
                {
                    var targets = group.Select(v => vfs.GetValueOrDefault(v.Index) ?? throw VfErrors.Vanished(pf.Label, v.Index)).Select(v => (now, v)).ToList();
                    undos.Add(InlinePlan.Make(new VfDriverPlanner(session).For(targets, group.Key, persist).Plan, context));
                }
            }
            catch (SriovException)
            {
                TakeBack(undos, context);
                throw;
            }

            undo = c => TakeBack(undos, c);
            return null;
        })
        {
            After = [created],
            LiveHostOnly = "drivers can only be bound by the running kernel.",
            LiveHostLabel = pf.Label,
            Undo = c => undo?.Invoke(c),
        });
    }

    private static void TakeBack(List<Action<StepContext>> undos, StepContext context)
    {
        for (int i = undos.Count - 1; i >= 0; i--)
        {
            undos[i](context);
        }
    }

    internal static string VfIndexList(IReadOnlyList<int> indexes) => Export.VfIndexRanges.List(indexes);

    /// <summary>The kernel words and vfio modules (Enable-SriovIommu), then AppArmor's rules for the pools' VFs (Repair-VfioAppArmor).</summary>
    private void AddBootSteps(ChangePlan plan, DesiredHost desired, BootEntry boot, List<PlanStep> pools, bool countsChange)
    {
        var repairs = new HostRepairs(session);
        if (boot.Iommu || boot.VfioModules)
        {
            Add(plan, () => repairs.Iommu([], boot.Iommu, boot.VfioModules, regenerate: true));
        }

        if (!boot.AppArmor)
        {
            return;
        }

        if (!session.Host.IsLiveHost && session.Host.Snapshot is null)
        {
            plan.Report.Warn("boot.appArmor is not planned: the rules are for the VFs this machine's pools hand out, and libvirt is not read for a copied host tree.");
            return;
        }

        if (session.HostLibvirt() is null)
        {
            _refusals.Add(new SriovException(
                ErrorCatalog.LibvirtConnectionFailed,
                $"boot.appArmor: the rules are for the VFs this machine's pools hand out, and its libvirt ({Libvirt.LibvirtUri.Default()}) could not be reached, so nothing was changed.",
                "boot.appArmor",
                "Start libvirtd (or set LIBVIRT_DEFAULT_URI), then run the command again."));
            return;
        }

        if (pools.Count == 0 && !countsChange)
        {
            Add(plan, () => repairs.VfioAppArmor(VfioGroupNeeds.OfPools(session, whatIfGiven: false), allGroups: false));
            return;
        }

        Action<StepContext>? undo = null;
        plan.Add(new PlanStep("AppArmor", "allow the vfio groups of the VFs the pools hand out to libvirt's guests (Repair-VfioAppArmor), once the pools are made", context =>
        {
            undo = InlinePlan.Make(repairs.VfioAppArmor(VfioGroupNeeds.OfPools(session, whatIfGiven: false), allGroups: false), context);
            return null;
        })
        {
            Undo = c => undo?.Invoke(c),
        });
    }
}
