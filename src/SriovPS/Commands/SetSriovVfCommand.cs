using SriovPS.Completion;
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

    private VfSettingsPlanner? _planner;
    private VfMacPersistence? _persistence;

    // -MacAddress Auto checks the VFs' MACs together, so they are planned once all have arrived.
    private readonly List<(SriovPf Pf, int Index)> _named = [];
    private readonly List<SriovVf> _piped = [];

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

    /// <summary>
    /// The administrative MAC: <c>ip link set PF vf N mac ADDRESS</c>. Unicast and not all zeros; or <c>Auto</c>:
    /// each VF's MAC derived from its PF's permanent MAC and its index, the configuration document's <c>"auto"</c>.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VfMacAddressCompleter))]
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

    /// <summary>
    /// Keeps the MAC when the VFs are re-created (at boot): a line per VF in the module's udev rules file that
    /// sets it through the PF as the VF appears; with -ClearMacAddress, removes that line. MAC only.
    /// </summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Outputs each VF as the kernel reports it after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ConsultsKernel => true;

    // -MacAddress Auto starts from the PF's permanent MAC, which only the kernel reports.
    protected override bool ReadsPfKernelState => MacAddress is not null;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        VfSettingsRequest? request = null;
        try
        {
            request = VfSettingsRequest.Create(
                MacAddress, ClearMacAddress, Vlan, Qos, VlanProtocol, SpoofCheck, Trust, LinkState, MinTxRate, MaxTxRate);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        if (request!.IsEmpty && !Rebind)
        {
            ThrowSriovError(VfSettingsRequest.Invalid(
                "Name a setting to change (-MacAddress, -ClearMacAddress, -Vlan, -Qos, -VlanProtocol, -SpoofCheck, -Trust, -LinkState, -MinTxRate, -MaxTxRate) or -Rebind.",
                null));
        }

        try
        {
            _persistence = Persist ? new VfMacPersistence(Session, request) : null;
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        _planner = new VfSettingsPlanner(Session, request, Rebind);
    }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        if (_planner!.AutoMacAddress)
        {
            if (ParameterSetName == ByInputObjectSet)
            {
                _piped.AddRange(InputObject!);
            }
            else
            {
                _named.AddRange(Session.SelectPfs(GivenNames(PfName, nameof(PfName))).SelectMany(pf => Index!.Select(index => (pf, index))));
            }

            return;
        }

        // Planned one VF at a time: each is asked about, changed and read back before the next is planned.
        Apply(ParameterSetName == ByInputObjectSet
            ? InputObject!.Select(_planner!.ForPiped)
            : _planner!.ForNamed(Session.SelectPfs(GivenNames(PfName, nameof(PfName))), Index!));
    }

    protected override void EndProcessing()
    {
        if (_named.Count > 0 || _piped.Count > 0)
        {
            Apply(_planner!.ForTogether(_named, _piped));
        }

        if (_persistence?.Plan() is { } rules)
        {
            ApplyPlan(rules);
        }
    }

    private void Apply(IEnumerable<PlannedVfSettings> vfs)
    {
        foreach (var vf in vfs)
        {
            var result = ApplyPlan(vf.Plan);
            _persistence?.Add(vf, result);
            if (PassThru && vf.ReadBack(result) is { } after)
            {
                WriteHostObject(after);
            }
        }
    }
}
