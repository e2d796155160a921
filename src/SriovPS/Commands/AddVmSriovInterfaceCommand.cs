using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Native.Libvirt;
using SriovPS.Values;

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
                vf = Vf ?? NamedVf();
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

    /// <summary>The VF -PfName and -Index name, as this host has it now; null when no PF has that name (reported).</summary>
    private SriovVf? NamedVf()
    {
        if (PfName is null || Index is null)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"No VF was given for the guest '{VmName}': give -Network for a pool interface, or a fixed VF with -Vf (or from Get-SriovVf through the pipeline) or with -PfName and -Index.",
                VmName!,
                "Get-SriovVf -PfName eno49 -Index 0 | Add-VmSriovInterface -VmName <guest>");
        }

        if (WildcardPattern.ContainsWildcardCharacters(PfName))
        {
            throw new SriovException(
                ErrorCatalog.InvalidInterfaceName,
                $"-PfName '{PfName}' is a wildcard pattern, but a fixed VF is on one PF.",
                PfName,
                "Name the PF itself, or pipe the VFs from Get-SriovVf.");
        }

        foreach (var pf in Session.SelectPfs([PfName]))
        {
            if (Session.Discovery.GetVfs(pf).Find(v => v.Index == Index) is { } vf)
            {
                return vf;
            }

            throw new SriovException(
                ErrorCatalog.SriovVfNotFound,
                $"{pf.Name} has no VF {Index} (it has {pf.NumVfs}).",
                $"{pf.Name} vf {Index}",
                $"Get-SriovVf -PfName {pf.Name} lists its VFs.");
        }

        // SelectPfs has reported the name that matches no PF.
        return null;
    }

    private void Add(VmInterfaceRequest request)
    {
        var plan = VmSriovInterfaceAddition.Plan(_inventory!, Describe(_inventory!), _pfs, request);
        foreach (string note in plan.Notes)
        {
            WriteVerbose(note);
        }

        foreach (string warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        if (plan.Interfaces.Count > 0 && !ShouldProcess(request.VmName, plan.Action, out _))
        {
            return;
        }

        var restartWarnings = new Dictionary<string, string>();
        if (plan.Interfaces.Count > 0)
        {
            List<string> restartRequired;
            try
            {
                restartRequired = plan.Apply(Connection, WriteVerbose);
            }
            catch (SriovException)
            {
                // Interfaces attached before the failure stay: the next record must see them.
                RefreshGuest(request.VmName);
                throw;
            }

            foreach (string mac in restartRequired)
            {
                restartWarnings[mac] = $"The running guest '{request.VmName}' has no free PCI slot (\"No more available PCI slots\"): the interface {mac} " +
                    "is in its definition only. Shut the guest down and start it again to get it: libvirt then adds the PCIe root ports it needs.";
                WriteWarning(restartWarnings[mac]);
            }

            if (plan.Interfaces.Any(i => i.ToLive))
            {
                // A running guest took VFs from the pool: the pool's ports changed too.
                _inventory = ReadInventory();
            }
            else
            {
                RefreshGuest(request.VmName);
            }
        }

        if (_inventory!.Guest(request.VmName) is not { } guest)
        {
            return;
        }

        foreach (var item in VmSriovInterfaceReport.Describe(ConnectionUri, guest, _inventory, Describe(_inventory), _pfs))
        {
            if (plan.MacAddresses.Contains(item.MacAddress))
            {
                item.Warnings = restartWarnings.TryGetValue(item.MacAddress, out string? restart) ? [.. plan.Warnings, restart] : plan.Warnings;
                WriteObject(item);
            }
        }
    }

    private void RefreshGuest(string vmName)
    {
        try
        {
            _inventory!.Refresh(Connection, vmName);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, vmName, "read the guest back");
        }
    }
}
