using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Persistence;
using SriovPS.Values;
using SriovPS.VfDriver;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Binds VFs to another kernel driver (vfio-pci for guests, DPDK and Kata), or back to their own.</para>
/// <para type="description">driver_override, unbind, drivers_probe, as the kernel documents it; -Persist makes it hold at boot.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovVfDriver", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class SetSriovVfDriverCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    // vfio-pci binds at once; a net driver registers its interface inside the probe.
    private static readonly TimeSpan BindWait = TimeSpan.FromSeconds(10);

    private readonly List<(SriovPf Pf, SriovVf Vf)> _targets = [];
    private string? _driver;

    /// <summary>Interface names of the PFs whose VFs to move; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>The VF numbers on each PF; all of its VFs when omitted.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Index { get; set; }

    /// <summary>VFs from Get-SriovVf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovVf[]? InputObject { get; set; }

    /// <summary><c>vfio-pci</c>, another PCI driver's name, or <c>Default</c> for the driver the kernel picks by itself.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PciDriverCompleter))]
    public string? Driver { get; set; }

    /// <summary>Also records the drivers in the module's udev rules file, so VFs get them again at every boot.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Outputs each VF as it is after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ConsultsKernel => true;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            // Checked here, before -WhatIf decides anything, so a plan is never shown for a driver the change would refuse.
            _driver = VfDriverName.Parse(Driver!) is { } named ? VfDriverName.Resolve(TargetHost.Files, named, WriteVerbose) : null;
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
    }

    /// <summary>Collects the VFs: VFs that share an IOMMU group can only be judged together.</summary>
    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        if (ParameterSetName == ByInputObjectSet)
        {
            foreach (var given in InputObject!)
            {
                var pf = Session.AllPfs().Find(p => p.PciAddress == given.PfPciAddress);
                var vf = pf is null ? null : Session.Discovery.GetVfs(pf).Find(v => v.PciAddress == given.PciAddress);
                if (vf is null)
                {
                    WriteSriovError(new SriovException(
                        ErrorCatalog.SriovVfNotFound,
                        $"{given} ({given.PciAddress}) is no longer a VF on this host.",
                        given.PciAddress,
                        "Run Get-SriovVf again."));
                    continue;
                }

                Add(pf!, vf);
            }

            return;
        }

        foreach (var pf in Session.SelectPfs(GivenNames(PfName, nameof(PfName))))
        {
            var vfs = Session.Discovery.GetVfs(pf);
            if (Index is null)
            {
                vfs.ForEach(vf => Add(pf, vf));
                if (vfs.Count == 0)
                {
                    WriteVerbose($"{pf} has no VFs: nothing to do.");
                }

                continue;
            }

            foreach (int index in Index)
            {
                if (vfs.Find(v => v.Index == index) is { } vf)
                {
                    Add(pf, vf);
                }
                else
                {
                    WriteSriovError(VfErrors.NotFound(pf.ToString(), pf.NumVfs, index));
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var plan = VfDriverPlan.For(TargetHost.Files, _targets, _driver);
        plan.Refusals.ForEach(WriteSriovError);
        foreach (var same in plan.Unchanged)
        {
            WriteVerbose($"{same.Vf} is already on {same.Vf.Driver} with driver_override {same.CurrentOverride ?? "(null)"}: nothing written.");
        }

        var changer = new VfDriverChanger(TargetHost.Files);
        var accepted = new List<VfDriverMove>();
        var shown = new List<VfDriverMove>();
        foreach (var move in plan.Moves)
        {
            // Refused before the question; the changer checks again right before it writes.
            if (changer.FindHolders(move) is { Count: > 0 } holders)
            {
                WriteSriovError(VfDriverChanger.InUse(move, holders));
                continue;
            }

            if (ShouldProcess(move.Label, move.Action, out bool whatIf))
            {
                accepted.Add(move);
            }
            else if (whatIf)
            {
                shown.Add(move);
            }
        }

        var kept = plan.Unchanged.Concat(accepted).ToList();

        // -WhatIf shows the rules file as the moves it showed would leave it.
        var persisted = Persist ? ConfirmRulesChanges(kept.Concat(shown).ToList()) : [];
        if (accepted.Count == 0 && persisted.Count == 0)
        {
            Completed(kept);
            return;
        }

        if (!TargetHost.IsLiveHost)
        {
            foreach (var move in accepted)
            {
                WriteSriovError(LiveHostRequired(move.Label, "drivers can only be bound by the running kernel."));
            }

            foreach (var pf in persisted.Where(pf => !accepted.Exists(m => m.Pf.PciAddress == pf.PciAddress)))
            {
                WriteSriovError(LiveHostRequired(pf.ToString(), "its VFs' boot rules are written on the running host only."));
            }

            return;
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        using (Session.AcquireLock())
        {
            Apply(changer, accepted, failed);
            var rules = new ConfigFile(TargetHost.Files, UdevVfRules.HostPath);

            // Every confirmed PF, moved now or already as asked: its VFs keep at boot what they have now.
            foreach (var pf in persisted)
            {
                try
                {
                    WriteRules(rules, pf, kept.Where(m => m.Pf.PciAddress == pf.PciAddress && !failed.Contains(m.Vf.PciAddress)).ToList());
                }
                catch (SriovException e)
                {
                    WriteSriovError(e);
                }
            }
        }

        Completed(kept.Where(m => !failed.Contains(m.Vf.PciAddress)).ToList());
    }

    private void Add(SriovPf pf, SriovVf vf)
    {
        if (!_targets.Exists(t => t.Vf.PciAddress == vf.PciAddress))
        {
            _targets.Add((pf, vf));
        }
    }

    private void Apply(VfDriverChanger changer, List<VfDriverMove> moves, HashSet<string> failed)
    {
        bool driverReady = false;
        foreach (var move in moves)
        {
            try
            {
                if (!driverReady && move.Target is { } target)
                {
                    if (changer.EnsureDriver(target))
                    {
                        WriteVerbose($"Loaded the {target} module.");
                    }

                    driverReady = true;
                }
                else if (move.Target is null && move.ExpectedDriver is { } own)
                {
                    // The kernel does not load modules for drivers_probe; udev would, but may not run.
                    TryLoad(changer, own);
                }

                changer.Apply(move, BindWait, Session.Cancellation).ForEach(WriteWarning);
                WriteVerbose($"{move.Label}: {move.Action}.");
            }
            catch (SriovException e)
            {
                failed.Add(move.Vf.PciAddress);
                WriteSriovError(e);
            }
        }

        Session.Discovery.ForgetInterfaces();
    }

    private void TryLoad(VfDriverChanger changer, string driver)
    {
        try
        {
            if (changer.EnsureDriver(driver))
            {
                WriteVerbose($"Loaded the {driver} module.");
            }
        }
        catch (SriovException e) when (e.Category == SriovErrorCategory.NotInstalled)
        {
            // The wait that follows reports the VF's state; this only says why.
            WriteVerbose(e.Message);
        }
    }

    /// <summary>The PFs whose rules-file change was confirmed (or shown under -WhatIf).</summary>
    private List<SriovPf> ConfirmRulesChanges(List<VfDriverMove> moves)
    {
        if (!UdevVfRules.IsUdevInstalled(TargetHost.Files))
        {
            WriteWarning($"udev is not installed on this host, so nothing reads {UdevVfRules.HostPath} at boot: the VF drivers are written there but not applied. Install udev (systemd-udevd).");
        }

        var confirmed = new List<SriovPf>();
        var rules = new ConfigFile(TargetHost.Files, UdevVfRules.HostPath);
        string? text;
        try
        {
            text = rules.ReadText();
        }
        catch (SriovException e)
        {
            // Only the boot rules fail: the drivers asked for are still bound.
            WriteSriovError(e);
            return confirmed;
        }

        foreach (var group in moves.GroupBy(m => m.Pf.PciAddress))
        {
            var pf = group.First().Pf;
            var (updated, _) = Planned(text, pf, group.ToList());
            if (updated == text)
            {
                WriteVerbose($"{UdevVfRules.HostPath} already gives {pf}'s VFs these drivers at boot: not written.");
                continue;
            }

            string action = updated is null
                ? $"remove the file: no VF of {pf} keeps another driver at boot"
                : $"give {pf}'s VFs their drivers at boot ({string.Join(", ", group.Select(m => $"vf {m.Vf.Index} → {m.Target ?? "default"}"))}), with sriov_drivers_autoprobe 0 on {pf}";
            if (!ShouldProcess(UdevVfRules.HostPath, action))
            {
                continue;
            }

            try
            {
                rules.CheckWritable();
                confirmed.Add(pf);
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }

        return confirmed;
    }

    private (string? Text, List<string> Warnings) Planned(string? text, SriovPf pf, List<VfDriverMove> moves) =>
        VfDriverPersistence.Plan(
            text,
            pf,
            Session.Discovery.GetVfs(pf),
            moves.ToDictionary(m => m.Vf.PciAddress, m => m.Target, StringComparer.Ordinal),
            new PciDriverAvailability(TargetHost.Files));

    private void WriteRules(ConfigFile rules, SriovPf pf, List<VfDriverMove> moves)
    {
        // Read again under the lock: another session may have written its own lines meanwhile.
        string? text = rules.ReadText();
        var (updated, warnings) = Planned(text, pf, moves);
        warnings.ForEach(WriteWarning);
        if (updated == text)
        {
            return;
        }

        if (updated is null)
        {
            rules.Remove();
            WriteVerbose($"Removed {rules.HostPath}, which had no other line (kept as {rules.BackupHostPath}).");
            return;
        }

        using var prepared = rules.Prepare(updated);
        prepared.Commit();
        WriteVerbose($"Wrote {rules.HostPath} (a previous version is kept as {rules.BackupHostPath}).");
    }

    private void Completed(List<VfDriverMove> moves)
    {
        if (!PassThru)
        {
            return;
        }

        Session.ForgetPfs();
        foreach (var move in moves)
        {
            var pf = Session.AllPfs().Find(p => p.PciAddress == move.Pf.PciAddress) ?? move.Pf;
            if (Session.Discovery.GetVfs(pf).Find(v => v.PciAddress == move.Vf.PciAddress) is { } now)
            {
                WriteObject(now);
            }
        }
    }
}
