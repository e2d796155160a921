using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Persistence;
using SriovPS.PfSettings;
using SriovPS.Values;
using SriovPS.VfCount;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Sets what a PF needs to carry VFs: its link up, its MTU, its eswitch mode, VF driver autoprobe.</para>
/// <para type="description">ip link set eno49 up mtu 9000, devlink dev eswitch set pci/… mode switchdev, and with -Persist the host's network configuration.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovPf", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(SriovPf))]
public sealed class SetSriovPfCommand : SriovCmdlet
{
    private const string ByNameSet = "ByName";
    private const string ByInputObjectSet = "ByInputObject";

    private NetworkManagerDetection? _manager;

    /// <summary>Interface names of the PFs; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PfName")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>PFs from Get-SriovPf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovPf[]? InputObject { get; set; }

    /// <summary>The administrative state: <c>ip link set eno49 up|down</c>. libvirt refuses hostdev pools on a PF that is down.</summary>
    [Parameter]
    [ValidateSet("Up", "Down")]
    public string? LinkState { get; set; }

    /// <summary>The PF's MTU: <c>ip link set eno49 mtu 9000</c>. VFs cannot exceed it on most drivers.</summary>
    [Parameter]
    [ValidateRange(PfLinkPlan.MinMtu, PfLinkPlan.MaxMtu)]
    public int? Mtu { get; set; }

    /// <summary>The embedded switch's mode: <c>devlink dev eswitch set pci/ADDRESS mode legacy|switchdev</c>.</summary>
    [Parameter]
    public EswitchMode? EswitchMode { get; set; }

    /// <summary>Whether new VFs are bound to their driver as they are created (<c>sriov_drivers_autoprobe</c>).</summary>
    [Parameter]
    public bool? DriversAutoprobe { get; set; }

    /// <summary>Also writes -LinkState and -Mtu into the configuration of the host's network manager, so the PF comes up so at boot, without an address.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>
    /// With -Persist: writes the file although the PF's interface is configured elsewhere (another netplan
    /// definition, .network file, NetworkManager profile or ifupdown stanza) or has an address now; the
    /// file then keeps what that configuration sets and changes only the link. Still refused where no file
    /// could keep it (netplan with no netplan definition of the PF to extend, a .network file matching others).
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Outputs each PF as it is after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ConsultsKernel => true;

    protected override bool ReadsPfKernelState => true;

    private bool? Up => LinkState is null ? null : string.Equals(LinkState, "Up", StringComparison.OrdinalIgnoreCase);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (LinkState is null && Mtu is null && EswitchMode is null && DriversAutoprobe is null)
        {
            ThrowSriovError(Invalid("Name a setting to change: -LinkState, -Mtu, -EswitchMode or -DriversAutoprobe."));
        }

        if (Persist && LinkState is null && Mtu is null)
        {
            ThrowSriovError(Invalid("-Persist records -LinkState and -Mtu in the host's network configuration; name at least one of them. (Eswitch mode is not kept across reboots by the kernel; VF autoprobe persists with Enable-SriovVf -DriversAutoprobe -Persist.)"));
        }

        try
        {
            PfLinkPlan.Validate(Mtu);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
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

    private static SriovException Invalid(string message) => new(ErrorCatalog.InvalidPfSetting, message);

    private List<SriovPf> Targets()
    {
        if (ParameterSetName != ByInputObjectSet)
        {
            return NamedOrPipedPfs(Name, nameof(Name));
        }

        return Session.CurrentPfs(InputObject!);
    }

    private void Change(SriovPf pf)
    {
        string target = $"{pf.PciAddress} ({pf.Name ?? "no interface"})";
        if ((LinkState is not null || Mtu is not null) && pf.Name is null)
        {
            throw new SriovException(
                ErrorCatalog.PfInterfaceMissing,
                $"The PF {pf.PciAddress} has no network interface in this namespace (driver: {pf.Driver ?? "none"}), so its link and MTU cannot be set.",
                pf.PciAddress,
                "Bind the PF's network driver, or run the command in the namespace that holds its interface.");
        }

        bool live = TargetHost.IsLiveHost;

        // Before anything is asked or sent: a refused file leaves the PF as it was.
        var others = Persist && pf.Name is not null ? OtherConfigurations(pf) : null;
        PfLinkPlan? linkPlan = null;
        if (live && pf.Name is not null && (LinkState is not null || Mtu is not null))
        {
            // Unreadable: Session.KernelLinks has reported why; nothing is changed on this PF.
            linkPlan = PfLinkPlan.For(Session.KernelLinks!, pf.Name, Up, Mtu);
            if (linkPlan is null)
            {
                return;
            }
        }

        linkPlan?.Unchanged.ForEach(line => WriteVerbose(line + ": nothing sent."));

        var steps = new List<(string Action, Action Apply)>();
        string? linkWords = live ? LinkWords(linkPlan) : LinkWords(Up, Mtu);
        if (linkWords is not null)
        {
            steps.Add(($"ip link set {pf.Name} {linkWords}", () => new PfLinkWriter(Session.KernelLinks!).Apply(pf.Name!, pf.Driver, linkPlan!)));
        }

        if (EswitchMode is { } mode)
        {
            // Discovery read the mode on the live host; null there means devlink cannot say, and Set explains why.
            if (live && pf.EswitchMode == mode)
            {
                WriteVerbose($"{pf} is already in {mode} eswitch mode: nothing sent.");
            }
            else
            {
                string words = mode == SriovPS.EswitchMode.Switchdev ? "switchdev" : "legacy";
                steps.Add(($"devlink dev eswitch set {Kernel.EswitchModes.PciBus}/{pf.PciAddress} mode {words}",
                    () => Session.EswitchModes!.Set(Kernel.EswitchModes.PciBus, pf.PciAddress, mode, target, pf.Driver)));
            }
        }

        if (DriversAutoprobe is bool autoprobe)
        {
            if (pf.DriversAutoprobe == autoprobe)
            {
                WriteVerbose($"{pf} already has sriov_drivers_autoprobe {(autoprobe ? 1 : 0)}: nothing written.");
            }
            else
            {
                steps.Add(($"set sriov_drivers_autoprobe to {(autoprobe ? 1 : 0)}",
                    () => new VfCountChanger(TargetHost.Files, Session.Discovery, null).WriteAutoprobe(pf, autoprobe, "nothing else was changed")));
            }
        }

        var accepted = new List<(string Action, Action Apply)>();
        bool linkDeclined = false;
        foreach (var step in steps)
        {
            if (ShouldProcess(target, step.Action, out bool whatIf))
            {
                accepted.Add(step);
            }
            else
            {
                // The file records the link as asked: not when the user said no to that change.
                linkDeclined |= !whatIf && linkWords is not null && step.Action == steps[0].Action;
            }
        }

        var persisted = Persist && !linkDeclined ? PlanPersisted(pf, others) : null;
        if (accepted.Count == 0 && persisted is null)
        {
            if (steps.Count == 0)
            {
                Completed(pf);
            }

            return;
        }

        if (!live)
        {
            // The tree's files are its own, as its boot configuration is for Enable-SriovIommu: the
            // network file is written there; only the running kernel's part cannot be done.
            bool wrote = false;
            if (persisted is not null)
            {
                using (Session.AcquireLock())
                {
                    wrote = persisted.Commit();
                }

                if (wrote)
                {
                    WriteVerbose($"Wrote {persisted.File.HostPath} in the host tree (a previous version is kept as {persisted.File.BackupHostPath}).");
                }
            }

            if (accepted.Count > 0)
            {
                throw LiveHostRequired(pf.ToString(), "PF settings can only be changed in the running kernel." +
                    (wrote ? $" Its network configuration was written in the tree: {persisted!.File.HostPath}." : string.Empty));
            }

            Completed(pf);
            return;
        }

        using (Session.AcquireLock())
        {
            // Tried before the live change: a file that cannot be written leaves the PF as it was.
            persisted?.File.CheckWritable();
            foreach (var step in accepted)
            {
                step.Apply();
                WriteVerbose($"{target}: {step.Action}.");
            }

            if (persisted?.Commit() == true)
            {
                WriteVerbose($"Wrote {persisted.File.HostPath} (a previous version is kept as {persisted.File.BackupHostPath}); {NetworkManagerDetection.NameOf(persisted.Manager)} applies it at the next boot or restart.");
            }
        }

        Session.ForgetPfs();
        Completed(Session.AllPfs().Find(p => p.PciAddress == pf.PciAddress) ?? pf);
    }

    /// <summary>
    /// The PF's interface's other configurations (files, and on the live host its addresses now);
    /// <c>null</c> when there are none. Without -Force, any is a refusal naming each.
    /// </summary>
    private PfNetworkConflicts? OtherConfigurations(SriovPf pf)
    {
        string name = pf.Name!;
        PfNetworkConflicts others;
        try
        {
            others = PfNetworkConflicts.FindOnHost(TargetHost.Files, TargetHost.IsLiveHost ? Session.KernelLinks : null, name, pf.MacAddress)
                ?? throw new SriovException(
                    ErrorCatalog.NetworkConfigConflict,
                    $"The addresses of {name} could not be read, so whether -Persist would take one away at the next boot is not known. Nothing was changed on {name}.",
                    name,
                    "Run PowerShell as root, or leave out -Persist.");
        }
        catch (ArgumentException e)
        {
            throw UnsafeName(name, e);
        }

        if (!others.Any)
        {
            return null;
        }

        if (!Force)
        {
            _manager ??= NetworkManagerDetection.Detect(TargetHost.Files);
            string? file = _manager.Manager == HostNetworkManager.None ? null : PfNetworkWriter.For(_manager.Manager).HostPathFor(name);
            throw others.Refusal(file);
        }

        WriteVerbose($"-Force: {name} is configured elsewhere too ({string.Join("; ", others.Found.Select(f => f.Description))}); the file written keeps what that sets.");
        return others;
    }

    private static SriovException UnsafeName(string name, ArgumentException e) => new(
        ErrorCatalog.InvalidInterfaceName,
        $"{name} cannot be named in a network configuration file safely ({e.Message}); nothing was changed.",
        name,
        "Rename the interface to letters, digits, '.', '-' and '_' (a .link file or udev rule), or leave out -Persist.");

    /// <summary>The network-configuration change to make, confirmed; <c>null</c> when nothing is to be written.</summary>
    private PfNetworkPersistence? PlanPersisted(SriovPf pf, PfNetworkConflicts? others)
    {
        _manager ??= NetworkManagerDetection.Detect(TargetHost.Files);
        if (_manager.Manager == HostNetworkManager.None)
        {
            WriteWarning($"-Persist wrote nothing: this host has {_manager.Description}, so {pf} keeps its link and MTU only until reboot.");
            return null;
        }

        WriteVerbose($"The host's network is configured by {_manager.Description}.");
        PfNetworkPersistence change;
        try
        {
            change = PfNetworkPersistence.Plan(TargetHost.Files, _manager.Manager, pf.Name!, Up, Mtu, others);
        }
        catch (ArgumentException e)
        {
            throw UnsafeName(pf.Name!, e);
        }

        if (change.Warning is not null)
        {
            WriteWarning(change.Warning);
        }

        if (!change.Changes)
        {
            WriteVerbose(change.Description + ": not written.");
            return null;
        }

        return ShouldProcess(change.File.HostPath, change.Description) ? change : null;
    }

    private static string? LinkWords(PfLinkPlan? plan) =>
        plan is null || plan.Changes.Count == 0 ? null : string.Join(' ', plan.Changes.ConvertAll(c => c.IpArguments));

    /// <summary>On a copied tree nothing can be compared: everything asked is shown.</summary>
    private static string? LinkWords(bool? up, int? mtu)
    {
        var words = new List<string>();
        if (mtu is int value)
        {
            words.Add("mtu " + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (up is bool bringUp)
        {
            words.Add(bringUp ? "up" : "down");
        }

        return words.Count == 0 ? null : string.Join(' ', words);
    }

    private void Completed(SriovPf pf)
    {
        if (PassThru)
        {
            WriteObject(pf);
        }
    }
}
