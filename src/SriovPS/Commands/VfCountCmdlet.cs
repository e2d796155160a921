using System;
using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Persistence;
using SriovPS.Values;
using SriovPS.VfCount;

namespace SriovPS.Commands;

/// <summary>
/// What Enable-SriovVf and Disable-SriovVf share: PFs by name or from the pipeline, the holder check
/// before anything is asked or written, the host lock, the count change itself, and -Persist through
/// the module's udev rules file.
/// </summary>
public abstract class VfCountCmdlet : SriovCmdlet
{
    private protected const string ByPfNameSet = "ByPfName";
    private protected const string ByInputObjectSet = "ByInputObject";

    // Creating VFs returns once they exist; the wait covers drivers that udev loads and binds.
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(60);

    private VfCountChanger? _changer;
    private bool _warnedNoUdev;
    private bool _yesToAll;
    private bool _noToAll;

    /// <summary>Interface names of the PFs to change; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>PFs from Get-SriovPf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovPf[]? InputObject { get; set; }

    /// <summary>Also records the change in the module's udev rules file, so it is made again at every boot.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    protected override bool ConsultsKernel => true;

    /// <summary>Whether this is Disable-SriovVf, which asks for 0 VFs.</summary>
    private protected abstract bool Disables { get; }

    /// <summary>The count asked for.</summary>
    private protected abstract int RequestedCount { get; }

    private protected virtual bool? RequestedAutoprobe => null;

    private protected virtual bool RestoresSettings => false;

    /// <summary>Whether -Force skips the question before present VFs are destroyed.</summary>
    private protected virtual bool SkipsDestroyQuestion => false;

    /// <summary>Runs after a PF was changed (or found as asked): -PassThru output.</summary>
    private protected virtual void Completed(SriovPf pf)
    {
    }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject(actsOnWholePf: true))
        {
            return;
        }

        foreach (var pf in Targets())
        {
            try
            {
                Change(pf);
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }
    }

    private List<SriovPf> Targets()
    {
        if (ParameterSetName != ByInputObjectSet)
        {
            return NamedOrPipedPfs(PfName, nameof(PfName));
        }

        return Session.CurrentPfs(InputObject!);
    }

    private void Change(SriovPf pf)
    {
        // As it is now: an earlier change of this command may have been to this very PF.
        pf = Session.AllPfs().Find(p => p.PciAddress == pf.PciAddress) ?? pf;
        var plan = VfCountPlan.For(pf, RequestedCount, RequestedAutoprobe, allowZero: Disables);
        var changer = _changer ??= new VfCountChanger(
            TargetHost.Files, Session.Discovery, TargetHost.IsLiveHost ? Session.KernelLinks : null, TargetHost.IsLiveHost ? Session.GuestOwners : null);
        var rules = new ConfigFile(TargetHost.Files, UdevVfRules.HostPath);
        string label = pf.Name ?? pf.PciAddress;

        if (plan.IsNoOp)
        {
            WriteVerbose($"{label} already has {pf.NumVfs} VFs{(plan.DriversAutoprobe is null ? string.Empty : $" and sriov_drivers_autoprobe {(pf.DriversAutoprobe == true ? 1 : 0)}")}: nothing written.");
        }
        else
        {
            // Refused before any question is asked; checked again right before the write.
            if (plan.DestroysVfs && changer.FindHolders(pf) is { Count: > 0 } holders)
            {
                throw VfCountChanger.Busy(plan, holders);
            }

            if (!ShouldProcess(plan.Target, plan.Action, out bool whatIf))
            {
                // -WhatIf also shows the rules-file change; a "no" to the VFs is a no to both.
                if (whatIf && Persist && PersistChange(rules, pf) is { } shown)
                {
                    ShouldProcess(UdevVfRules.HostPath, shown, out _);
                }

                return;
            }

            // Disable-SriovVf destroys VFs by definition and asks through its High ConfirmImpact.
            if (plan.DestroysVfs && !Disables && !SkipsDestroyQuestion && !ShouldContinue(DestroyQuestion(plan), "Re-create VFs", ref _yesToAll, ref _noToAll))
            {
                return;
            }
        }

        string? persistAction = Persist ? PersistChange(rules, pf) : null;
        if (persistAction is not null && !ShouldProcess(UdevVfRules.HostPath, persistAction, out _))
        {
            persistAction = null;
        }

        if (plan.IsNoOp && persistAction is null)
        {
            Completed(pf);
            return;
        }

        if (!TargetHost.IsLiveHost)
        {
            throw LiveHostRequired(label, "VFs can only be created and removed by the running kernel.");
        }

        // Released before -PassThru output: a Set-SriovVf further down the pipeline takes it again.
        using (Session.AcquireLock())
        {
            // The file's new version is written before the VFs change: that attempt is the permission
            // check, and a refusal leaves the VFs as they were.
            using var persisted = persistAction is null ? null : PreparePersisted(rules, pf);
            if (!plan.IsNoOp)
            {
                try
                {
                    Apply(plan, changer);
                }
                finally
                {
                    // Later PFs of the pipeline, and this one named again, are read as they are now.
                    Session.ForgetPfs();
                }
            }

            try
            {
                persisted?.Commit();
            }
            catch (SriovException) when (!plan.IsNoOp)
            {
                WriteWarning($"{label} was changed as asked ({plan.Action}); only {UdevVfRules.HostPath} could not be updated.");
                throw;
            }
        }

        Completed(Session.AllPfs().Find(p => p.PciAddress == pf.PciAddress) ?? pf);
    }

    private void Apply(VfCountPlan plan, VfCountChanger changer)
    {
        // The PF may have changed while the user was asked or the lock was awaited.
        var now = Session.Discovery.GetPfs().Find(p => p.PciAddress == plan.Pf.PciAddress);
        if (now is null || now.NumVfs != plan.Pf.NumVfs)
        {
            throw new SriovException(
                ErrorCatalog.HostChangeInProgress,
                $"{plan.Target} changed while this command waited (it has {now?.NumVfs.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no longer"} VFs, not {plan.Pf.NumVfs}), so nothing was changed.",
                plan.Target,
                "Run the command again.");
        }

        var vfsBefore = VfAddressList.Read(TargetHost.Files, now.PciAddress);
        var progress = new ProgressRecord(ProgressActivity, $"{MyInvocation.MyCommand.Name} {plan.Target}", plan.Action);
        VfCountOutcome outcome;
        try
        {
            outcome = changer.Apply(
                VfCountPlan.For(now, plan.Count, plan.DriversAutoprobe, allowZero: Disables),
                RestoresSettings,
                ReadyWait,
                step =>
                {
                    progress.StatusDescription = step.Status;
                    progress.PercentComplete = step.Total == 0 ? 100 : Math.Clamp(step.Done * 100 / step.Total, 0, 100);
                    WriteProgress(progress);
                },
                Session.Cancellation);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            Session.Discovery.ForgetInterfaces();
        }

        foreach (var note in outcome.Notes)
        {
            WriteVerbose(note);
        }

        foreach (var warning in outcome.Warnings)
        {
            WriteWarning(warning);
        }

        foreach (var failure in outcome.Failures)
        {
            WriteSriovError(failure);
        }

        RefreshPools(now, vfsBefore);
    }

    /// <summary>Restarts the unused libvirt pools on the PF, whose VF lists were fixed when they started, and warns of the others.</summary>
    private void RefreshPools(SriovPf pf, List<string> vfsBefore)
    {
        if (pf.Name is null || Session.HostLibvirt() is not { } libvirt)
        {
            return;
        }

        try
        {
            var now = new PfVfAddresses(pf.Name, pf.PciAddress, VfAddressList.Read(TargetHost.Files, pf.PciAddress));
            foreach (var outcome in SriovPoolRefresh.AfterCountChange(libvirt.Connection, vfsBefore, now))
            {
                if (outcome.Restarted)
                {
                    WriteVerbose(outcome.Message);
                }
                else
                {
                    WriteWarning(outcome.Message);
                }
            }
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }

    private const int ProgressActivity = 0x5352;

    private string DestroyQuestion(VfCountPlan plan)
    {
        string label = plan.Pf.Name ?? plan.Pf.PciAddress;
        int kept = Math.Min(plan.Count, plan.Pf.NumVfs);
        string keptText = RestoresSettings
            ? $" The settings of VF{(kept == 1 ? " 0 are" : $"s 0–{kept - 1} are")} restored on the new VFs."
            : " Their MACs, VLANs and other settings are not kept (-PreserveSettings keeps them).";
        return $"{label} has {plan.Pf.NumVfs} VFs. The kernel cannot change that number in place, so all {plan.Pf.NumVfs} are destroyed (their interfaces go away) before {plan.Count} are created.{keptText} Continue?";
    }

    /// <summary>The rules-file change to show and confirm, or <c>null</c> when the file already says what is asked.</summary>
    private string? PersistChange(ConfigFile rules, SriovPf pf)
    {
        WarnWithoutUdev();
        string? text = rules.ReadText();
        string label = pf.Name ?? pf.PciAddress;
        if (Disables)
        {
            if (UdevVfRules.Find(text, pf.PciAddress) is null)
            {
                WriteVerbose($"{UdevVfRules.HostPath} has no line for {label}: nothing to remove.");
                return null;
            }

            return $"remove the line that creates VFs on {label} ({pf.PciAddress}) at boot";
        }

        string updated = UdevVfRules.WithCount(text, pf.PciAddress, RequestedCount, RequestedAutoprobe);
        if (updated == text)
        {
            WriteVerbose($"{UdevVfRules.HostPath} already creates {RequestedCount} VFs on {label} at boot: not written.");
            return null;
        }

        var entry = UdevVfRules.Find(updated, pf.PciAddress)!.Value;
        return $"create {RequestedCount} VFs on {label} ({pf.PciAddress}) at boot: {UdevVfRules.Line(pf.PciAddress, entry)}";
    }

    /// <summary>The rules file's change, prepared under the lock from the file as it is now.</summary>
    private PersistedRules? PreparePersisted(ConfigFile rules, SriovPf pf)
    {
        // Read again: another session may have written its own PF's line since the question.
        string? text = rules.ReadText();
        string? updated = Disables ? UdevVfRules.Without(text, pf.PciAddress) : UdevVfRules.WithCount(text, pf.PciAddress, RequestedCount, RequestedAutoprobe);
        if (updated == text)
        {
            return null;
        }

        if (updated is null)
        {
            rules.CheckWritable();
            return new PersistedRules(this, rules, null);
        }

        return new PersistedRules(this, rules, rules.Prepare(updated));
    }

    /// <summary>A prepared new version of the rules file (or its removal), put in place after the VF change succeeded.</summary>
    private sealed class PersistedRules(VfCountCmdlet command, ConfigFile rules, PreparedConfigFile? prepared) : IDisposable
    {
        public void Commit()
        {
            if (prepared is null)
            {
                rules.Remove();
                command.WriteVerbose($"Removed {rules.HostPath}, which had no other line (kept as {rules.BackupHostPath}).");
                return;
            }

            prepared.Commit();
            command.WriteVerbose($"Wrote {rules.HostPath} (a previous version is kept as {rules.BackupHostPath}).");
        }

        public void Dispose() => prepared?.Dispose();
    }

    private void WarnWithoutUdev()
    {
        if (_warnedNoUdev || UdevVfRules.IsUdevInstalled(TargetHost.Files))
        {
            return;
        }

        _warnedNoUdev = true;
        WriteWarning($"udev is not installed on this host, so nothing reads {UdevVfRules.HostPath} at boot: the VF count is written there but not applied. Install udev (systemd-udevd), or create the VFs from a boot script.");
    }
}
