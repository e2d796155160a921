using SriovPS.Completion;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Removes SR-IOV interfaces, found by MAC, from a libvirt guest's definition and/or the running guest.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VmSriovInterface", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveVmSriovInterfaceCommand : LibvirtCmdlet
{
    private LibvirtInventory? _inventory;

    /// <summary>The guest (libvirt domain).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string? VmName { get; set; }

    /// <summary>The MACs of the interfaces to remove (Get-VmSriovInterface shows them).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? MacAddress { get; set; }

    /// <summary>Removes from the guest's definition, from its next start (the default).</summary>
    [Parameter]
    public SwitchParameter Config { get; set; }

    /// <summary>Removes from the running guest now (its OS must agree to the unplug); with -Config too, from both.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        _inventory ??= ReadInventory();
        foreach (string mac in MacAddress!)
        {
            try
            {
                Remove(mac);
            }
            catch (SriovException e)
            {
                WriteSriovError(e);
            }
        }
    }

    private void Remove(string mac)
    {
        var removal = VmSriovInterfaceRemoval.Plan(_inventory!, Describe(_inventory!), VmName!, mac, Config || !Live, Live);
        var result = ApplyPlan(new VmInterfacePlanner(Libvirt).Remove(removal));

        // The next MAC of this guest must see what was removed, even before a failure.
        if (result.Made.Count > 0 || result.Failed.Count > 0)
        {
            Libvirt.RefreshGuest(_inventory!, removal.VmName);
        }
    }
}
