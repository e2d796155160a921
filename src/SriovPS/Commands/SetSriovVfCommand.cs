using System;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Values;
using SriovPS.VfDriver;
using SriovPS.VfSettings;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Sets what a PF enforces for its VFs: MAC, VLAN, QoS, spoof check, trust, link state and rates.</para>
/// <para type="description">The equivalent of <c>ip link set eno49 vf 0 mac … vlan 42 qos 3 spoofchk on trust on</c>,
/// one netlink request per attribute, sending only what differs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovVf", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class SetSriovVfCommand : SriovCmdlet
{
    private const string ByPfNameSet = "ByPfName";
    private const string ByInputObjectSet = "ByInputObject";

    // igbvf and ixgbevf register their interface inside the bind; the wait only covers slower drivers.
    private static readonly TimeSpan InterfaceWait = TimeSpan.FromSeconds(10);

    private VfSettingsRequest? _request;
    private VfSettingsWriter? _writer;
    private (string Pf, int Index)? _macTarget;

    /// <summary>Interface names of the PFs whose VFs to change; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>The VF numbers on each PF (the N of <c>ip link set eno49 vf N</c>).</summary>
    [Parameter(ParameterSetName = ByPfNameSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Index { get; set; }

    /// <summary>VFs from Get-SriovVf.</summary>
    [Parameter(ParameterSetName = ByInputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SriovVf[]? InputObject { get; set; }

    /// <summary>The administrative MAC: <c>ip link set PF vf N mac ADDRESS</c>. Unicast and not all zeros.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MacAddress { get; set; }

    /// <summary>Removes the administrative MAC (the kernel's all-zeros address).</summary>
    [Parameter]
    public SwitchParameter ClearMacAddress { get; set; }

    /// <summary>The VLAN the PF tags the VF's traffic with: <c>vlan VLAN</c>; 0 removes the tag.</summary>
    [Parameter]
    [ValidateRange(0, VfSettingsRequest.MaxVlan)]
    public int? Vlan { get; set; }

    /// <summary>The 802.1p priority of that tag: <c>qos QOS</c>.</summary>
    [Parameter]
    [ValidateRange(0, VfSettingsRequest.MaxQos)]
    public int? Qos { get; set; }

    /// <summary>The tag to push: <c>proto 802.1Q|802.1ad</c>.</summary>
    [Parameter]
    [ValidateSet("802.1Q", "802.1ad")]
    public string? VlanProtocol { get; set; }

    /// <summary>Whether the PF drops frames the VF sends from another source MAC: <c>spoofchk on|off</c>.</summary>
    [Parameter]
    public bool? SpoofCheck { get; set; }

    /// <summary>Whether the VF may change its MAC and receive promiscuously: <c>trust on|off</c>.</summary>
    [Parameter]
    public bool? Trust { get; set; }

    /// <summary>The VF's link: follow the PF, always up, or down: <c>state auto|enable|disable</c>.</summary>
    [Parameter]
    public VfLinkState? LinkState { get; set; }

    /// <summary>Guaranteed transmit rate in Mbit/s: <c>min_tx_rate</c>; 0 for none.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MinTxRate { get; set; }

    /// <summary>Transmit rate limit in Mbit/s: <c>max_tx_rate</c>; 0 for no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaxTxRate { get; set; }

    /// <summary>Rebinds the VF's net driver so its interface takes the administrative MAC now.</summary>
    [Parameter]
    public SwitchParameter Rebind { get; set; }

    /// <summary>Outputs each VF as the kernel reports it after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ConsultsKernel => true;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _request = VfSettingsRequest.Create(
                MacAddress, ClearMacAddress, Vlan, Qos, VlanProtocol, SpoofCheck, Trust, LinkState, MinTxRate, MaxTxRate);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        if (_request!.IsEmpty && !Rebind)
        {
            ThrowSriovError(VfSettingsRequest.Invalid(
                "Name a setting to change (-MacAddress, -ClearMacAddress, -Vlan, -Qos, -VlanProtocol, -SpoofCheck, -Trust, -LinkState, -MinTxRate, -MaxTxRate) or -Rebind.",
                null));
        }
    }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        if (ParameterSetName == ByInputObjectSet)
        {
            foreach (var vf in InputObject!)
            {
                var pf = Session.AllPfs().Find(p => p.PciAddress == vf.PfPciAddress);
                if (pf is null)
                {
                    WriteSriovError(new SriovException(
                        ErrorCatalog.SriovPfNotFound,
                        $"The PF {vf.PfPciAddress} of {vf} is no longer an SR-IOV PF on this host.",
                        vf.PfPciAddress,
                        "Run Get-SriovVf again."));
                    continue;
                }

                SetOne(pf, vf.Index);
            }

            return;
        }

        var pfs = Session.SelectPfs(GivenNames(PfName, nameof(PfName)));
        if (AssignsMac && pfs.Count * Index!.Length > 1)
        {
            // Known before anything is sent: refuse the whole call rather than give two VFs one MAC.
            WriteSriovError(SameMacTwice($"{pfs.Count * Index.Length} VFs"));
            return;
        }

        foreach (var pf in pfs)
        {
            foreach (int index in Index!)
            {
                SetOne(pf, index);
            }
        }
    }

    /// <summary>Whether a MAC (not the all-zeros clear) is being assigned: one VF only may get it.</summary>
    private bool AssignsMac => _request!.MacAddress is { } mac && Array.Exists(mac, static b => b != 0);

    private static SriovException SameMacTwice(string targets) => VfSettingsRequest.Invalid(
        $"-MacAddress gives one VF its MAC, and this call names {targets}: two VFs with one MAC break forwarding on the PF's switch. Set each VF's MAC in its own call.",
        targets);

    private void SetOne(SriovPf pf, int index)
    {
        try
        {
            if (AssignsMac && _macTarget is { } first && first != (pf.PciAddress, index))
            {
                throw SameMacTwice($"{first.Pf} vf {first.Index} and {pf.Name ?? pf.PciAddress} vf {index}");
            }

            _macTarget ??= (pf.PciAddress, index);
            Apply(pf, index);
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }

    private void Apply(SriovPf pf, int index)
    {
        var vf = FindVf(pf, index);
        string pfName = pf.Name!;
        bool live = TargetHost.IsLiveHost;
        if (live && vf.MacAddress is null)
        {
            // Every driver that has VFs reports their MAC; without it the read failed (already said) or the VF is resetting.
            throw new SriovException(
                ErrorCatalog.KernelLinkUnreadable,
                $"The kernel did not report the settings of {pfName} vf {index} (its read failed, or the driver left the VF out while it resets), so nothing was sent to it.",
                vf.ToString(),
                "Run the command again.");
        }

        var plan = live ? VfSettingsPlan.For(_request!, vf) : VfSettingsPlan.Describe(_request!, index);
        var admin = plan.ChangesMacAddress ? _request!.MacAddress : SriovPS.Values.MacAddress.TryParse(vf.MacAddress);
        var rebind = Rebind ? VfRebind.Assess(vf, admin, TargetHost.Files) : VfRebindNeed.NotNeeded;
        ReportRebindNeed(vf, rebind);
        bool rebinding = rebind == VfRebindNeed.Needed;
        if (plan.Changes.Count == 0 && !rebinding)
        {
            WriteVerbose(plan.Unchanged.Count > 0
                ? $"{pfName} vf {index} already has {string.Join(" ", plan.Unchanged)}: nothing sent."
                : $"{pfName} vf {index}: nothing to change, nothing sent.");
            WritePassThru(pf, index);
            return;
        }

        if (plan.Unchanged.Count > 0)
        {
            WriteVerbose($"{pfName} vf {index} already has {string.Join(" ", plan.Unchanged)}: not sent.");
        }

        string action = plan.Changes.Count == 0 ? $"rebind {vf.Driver}"
            : rebinding ? $"ip link set {pfName} vf {index} {plan.IpArguments}, then rebind {vf.Driver}"
            : $"ip link set {pfName} vf {index} {plan.IpArguments}";
        if (!ShouldProcess($"{vf.PciAddress} ({pfName} vf {index})", action))
        {
            return;
        }

        if (!live)
        {
            throw new SriovException(
                ErrorCatalog.LiveHostRequired,
                $"{pfName} vf {index} belongs to the copied host tree '{TargetHost.Root}': VF settings can only be applied to the running kernel.",
                vf.ToString(),
                $"Leave out -HostRoot and $env:{HostContext.RootVariable} to work on this machine.");
        }

        // Released before -PassThru output: a Set-SriovVf further down the pipeline takes it again.
        using (Session.AcquireLock())
        {
            var outcome = (_writer ??= new VfSettingsWriter(Session.KernelLinks!)).Apply(pfName, pf.Driver, index, plan);
            foreach (var change in outcome.Applied)
            {
                WriteVerbose($"Set {pfName} vf {index} {change.IpArguments}.");
            }

            foreach (var failure in outcome.Failures)
            {
                WriteSriovError(failure);
            }

            bool macFailed = plan.ChangesMacAddress && !outcome.AppliedMacAddress;
            if (rebinding && !macFailed)
            {
                // Some drivers (i40e, ice) reset the VF themselves on a MAC change: rebind only if still needed.
                if (VfRebind.Assess(vf, admin, TargetHost.Files) == VfRebindNeed.Needed)
                {
                    RebindForMac(vf, pfName, index, admin!);
                }
                else
                {
                    WriteVerbose($"{vf.Name} took the administrative MAC without a rebind.");
                }
            }
            else if (outcome.AppliedMacAddress && AssignsMac && !Rebind && vf.Driver is not null)
            {
                WriteWarning(vf.Name is not null
                    ? $"{pfName} vf {index}: the PF holds the new MAC, but {vf.Name} ({vf.Driver}) takes it only when its driver next initialises the VF. Add -Rebind to rebind {vf.Driver} now (the interface goes down briefly)."
                    : $"{pfName} vf {index}: the PF holds the new MAC, but the VF's driver ({vf.Driver}) reads it only when it next initialises the VF: for vfio-pci, when the guest or program using it resets the VF.");
            }
        }

        WritePassThru(pf, index);
    }

    /// <summary>Rebinds the VF's net driver, then makes sure its interface carries the administrative MAC.</summary>
    private void RebindForMac(SriovVf vf, string pfName, int index, byte[] admin)
    {
        var (name, setDirectly) = VfRebind.RebindAndAdopt(Session.KernelLinks!, TargetHost.Files, vf, admin, InterfaceWait, Session.Cancellation);
        Session.Discovery.ForgetInterfaces();
        if (name is null)
        {
            if (!Session.Cancellation.IsCancellationRequested)
            {
                WriteWarning($"{pfName} vf {index} was rebound to {vf.Driver}, but no interface appeared within {InterfaceWait.TotalSeconds} s.");
            }

            return;
        }

        WriteVerbose(setDirectly
            ? $"Rebound {vf.PciAddress} to {vf.Driver}; {name} did not take the administrative MAC when the driver probed the VF, so it was set on {name} directly."
            : $"Rebound {vf.PciAddress} to {vf.Driver}; its interface {name} carries the administrative MAC.");
    }

    private SriovVf FindVf(SriovPf pf, int index)
    {
        string pfLabel = pf.Name ?? pf.PciAddress;
        if (index >= pf.NumVfs)
        {
            throw VfErrors.NotFound(pfLabel, pf.NumVfs, index);
        }

        if (pf.Name is null)
        {
            throw new SriovException(
                ErrorCatalog.PfInterfaceMissing,
                $"The PF {pf.PciAddress} has no network interface in this namespace (driver: {pf.Driver ?? "none"}), and the kernel changes VF settings through the PF's interface.",
                pf.PciAddress,
                "Bind the PF's network driver, or run the command in the namespace that holds its interface.");
        }

        return Session.Discovery.GetVfs(pf).Find(v => v.Index == index) ?? throw new SriovException(
            ErrorCatalog.SriovVfNotFound,
            $"VF {index} of {pfLabel} vanished while it was read: its VFs are being re-created.",
            $"{pfLabel} vf {index}",
            "Run the command again.");
    }

    private void ReportRebindNeed(SriovVf vf, VfRebindNeed need)
    {
        switch (need)
        {
            case VfRebindNeed.NoDriver:
                WriteVerbose($"{vf} has no driver bound: whichever binds next takes the administrative MAC, so it is not rebound.");
                break;
            case VfRebindNeed.NotHere:
                WriteWarning($"{vf} is not rebound: its driver ({vf.Driver}) gives it no interface in this namespace (vfio-pci, or an interface moved into a container), and rebinding would take it from whoever uses it.");
                break;
            case VfRebindNeed.InUse:
                WriteWarning($"{vf} is not rebound: its interface {vf.Name} is up, enslaved or has devices on top (bond, bridge, macvtap, VLAN), which a rebind would tear down. Take it out of use first.");
                break;
            case VfRebindNeed.NotNeeded when Rebind:
                WriteVerbose($"{vf}: its interface already carries the administrative MAC (or none is set); not rebound.");
                break;
        }
    }

    private void WritePassThru(SriovPf pf, int index)
    {
        if (PassThru && Session.Discovery.GetVfs(pf).Find(v => v.Index == index) is { } after)
        {
            WriteObject(after);
        }
    }
}
