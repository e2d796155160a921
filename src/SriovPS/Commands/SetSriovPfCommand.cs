using SriovPS.Completion;
using SriovPS.PfSettings;
using SriovPS.Plans;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Sets what a PF needs to carry VFs: its link up, its MTU, its eswitch mode, TC offload, VF driver autoprobe.</para>
/// <para type="description">ip link set eno49 up mtu 9000, devlink dev eswitch set pci/… mode switchdev, ethtool -K eno49 hw-tc-offload on, and with -Persist the host's network configuration.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovPf", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(SriovPf))]
public sealed class SetSriovPfCommand : SriovCmdlet
{
    private const string ByNameSet = "ByName";
    private const string ByInputObjectSet = "ByInputObject";

    private PfSettingsPlanner? _planner;

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

    /// <summary>TC flower offload, as OVS hardware offload needs: <c>ethtool -K eno49 hw-tc-offload on</c>, for the PF and, in switchdev mode, its VF representors.</summary>
    [Parameter]
    public bool? HwTcOffload { get; set; }

    /// <summary>Also writes -LinkState and -Mtu (and -HwTcOffload where NetworkManager configures the host) into the configuration of the host's network manager, so the PF comes up so at boot, without an address.</summary>
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
        try
        {
            _planner = new PfSettingsPlanner(Session, new PfSettingsRequest(Up, Mtu, EswitchMode, DriversAutoprobe, Persist, Force, HwTcOffload));
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
        if (_planner!.Plan(pf) is not { } plan)
        {
            return;
        }

        // Refused, failed, declined or only shown: the PF is not as asked. A PF whose kernel settings
        // already were, and whose file alone was declined, is.
        var result = ApplyPlan(plan);
        if (result.Failed.Count > 0 || (result.Made.Count == 0 && AsksTheKernel(plan)))
        {
            return;
        }

        if (result.Made.Count > 0)
        {
            Session.ForgetPfs();
            pf = Session.PfAt(pf.PciAddress) ?? pf;
        }

        if (PassThru)
        {
            WriteHostObject(pf);
        }
    }

    private static bool AsksTheKernel(ChangePlan plan) => plan.Steps.Exists(s => s.LiveHostOnly is not null);
}
