using System.Collections.Generic;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Values;

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
        var removal = VmSriovInterfaceRemoval.Plan(_inventory!, Describe(_inventory!), VmName!, mac, Config || !Live, Live, WriteVerbose);
        if (!removal.HasWork)
        {
            WriteVerbose($"Nothing to remove for {removal.MacAddress} of '{removal.VmName}'.");
            return;
        }

        if (!ShouldProcess(removal.VmName, removal.Action, out _))
        {
            return;
        }

        bool released;
        try
        {
            released = removal.Apply(Connection);
        }
        finally
        {
            RefreshGuest(removal.VmName);
        }

        if (released)
        {
            WriteVerbose($"Removed the interface {removal.MacAddress} on {removal.Source} from '{removal.VmName}'.");
        }
        else
        {
            WriteWarning($"The running guest '{removal.VmName}' was asked to give back the interface {removal.MacAddress} but still has it: " +
                "a PCI device leaves when the guest's OS agrees to the unplug (a paused guest, or one without an OS, never does). " +
                "It is gone at the latest when the guest stops.");
        }

    }

    private void RefreshGuest(string vmName)
    {
        try
        {
            _inventory!.Refresh(Connection, vmName);
        }
        catch (Native.Libvirt.LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, vmName, "read the guest back");
        }
    }
}
