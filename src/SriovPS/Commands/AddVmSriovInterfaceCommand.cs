using SriovPS.Completion;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Gives a libvirt guest SR-IOV interfaces: on a pool (a VF handed out at start) or on a fixed VF.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "VmSriovInterface", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNetworkSet)]
[OutputType(typeof(VmSriovInterface))]
public sealed class AddVmSriovInterfaceCommand : LibvirtCmdlet
{
    private const string ByNetworkSet = "ByNetwork";
    private const string ByVfSet = "ByVf";

    private LibvirtInventory? _inventory;
    private List<PfVfAddresses>? _pfs;

    /// <summary>The guest (libvirt domain).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string? VmName { get; set; }

    /// <summary>The pool (hostdev network) the interfaces take their VFs from.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByNetworkSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string? Network { get; set; }

    /// <summary>A VF from Get-SriovVf, given to the guest itself (a fixed VF).</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = ByVfSet)]
    [ValidateNotNull]
    public SriovVf? Vf { get; set; }

    /// <summary>
    /// With -Index, the PF of the fixed VF. Bound by property name too, so VFs that came through
    /// remoting (property bags, not <see cref="SriovVf"/> objects) name their VF.
    /// </summary>
    [Parameter(ParameterSetName = ByVfSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string? PfName { get; set; }

    /// <summary>With -PfName, the index of the fixed VF on that PF.</summary>
    [Parameter(ParameterSetName = ByVfSet, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, int.MaxValue)]
    public int? Index { get; set; }

    /// <summary>How many pool interfaces to add (1 when omitted; the number of -MacAddress values when those are given).</summary>
    [Parameter(ParameterSetName = ByNetworkSet)]
    [ValidateRange(1, 256)]
    public int Count { get; set; }

    /// <summary>The interfaces' MACs, one per interface. An interface already there with its MAC is left as it is, so a script that names MACs can run again.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? MacAddress { get; set; }

    /// <summary>The VLAN the VF tags the guest's traffic with (<c>&lt;vlan&gt;&lt;tag id='42'/&gt;</c>).</summary>
    [Parameter]
    [ValidateRange(0, 4095)]
    public int? Vlan { get; set; }

    /// <summary>An 802.1Qbh port profile (<c>&lt;virtualport type='802.1Qbh'&gt;</c>), for switches that apply port profiles.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VirtualPortProfileId { get; set; }

    /// <summary>Adds to the guest's definition, used from its next start (the default).</summary>
    [Parameter]
    public SwitchParameter Config { get; set; }

    /// <summary>Adds to the running guest now; with -Config too, to both.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        _inventory ??= ReadInventory();
        _pfs ??= PoolPfs();
        SriovVf? vf = null;
        if (ParameterSetName == ByVfSet)
        {
            try
            {
                vf = Vf ?? NamedVf.Find(Session, VmName!, PfName, Index);
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }

            if (vf is null)
            {
                return;
            }
        }

        var request = new VmInterfaceRequest(
            VmName!,
            Network,
            vf?.PciAddress,
            vf is null ? null : $"{vf.PfName} vf {vf.Index}",
            MacAddress,
            MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null,
            Vlan,
            VirtualPortProfileId,
            Config || !Live,
            Live);
        try
        {
            Add(request);
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }

    private void Add(VmInterfaceRequest request)
    {
        var addition = VmSriovInterfaceAddition.Plan(_inventory!, Describe(_inventory!), _pfs, request);
        var plan = new VmInterfacePlanner(Libvirt).Add(addition);
        var result = ApplyPlan(plan);
        if (result.Failed.Count > 0)
        {
            // Interfaces attached before the failure stay: the next record must see them.
            Libvirt.RefreshGuest(_inventory!, request.VmName);
            return;
        }

        if (!plan.Steps.TrueForAll(result.WasMade))
        {
            return;
        }

        if (addition.Interfaces.Any(i => i.ToLive))
        {
            // A running guest took VFs from the pool: the pool's ports changed too.
            _inventory = ReadInventory();
        }
        else if (plan.Steps.Count > 0)
        {
            Libvirt.RefreshGuest(_inventory!, request.VmName);
        }

        WriteHostObjects(addition.Outcome(ConnectionUri, _inventory!, Describe(_inventory!), _pfs));
    }
}
