using SriovPS.VfCount;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Creates a PF's SR-IOV virtual functions (VFs), or changes how many it has.</para>
/// <para type="description">The equivalent of <c>echo 7 &gt; /sys/class/net/eno49/device/sriov_numvfs</c>,
/// refusing while a guest or program holds a VF, and optionally persistent through a udev rule.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "SriovVf", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByPfNameSet)]
[OutputType(typeof(SriovVf))]
public sealed class EnableSriovVfCommand : VfCountCmdlet
{
    /// <summary>How many VFs the PF should have: 1 to its TotalVfs.</summary>
    [Parameter(Mandatory = true)]
    public int Count { get; set; }

    /// <summary>Whether new VFs are bound to their driver at once (<c>sriov_drivers_autoprobe</c>); set before the VFs are created.</summary>
    [Parameter]
    public bool? DriversAutoprobe { get; set; }

    /// <summary>Restores the MAC, VLAN, QoS, spoof check, trust, link state and rates of the VFs that exist both before and after.</summary>
    [Parameter]
    public SwitchParameter PreserveSettings { get; set; }

    /// <summary>Does not ask before present VFs are destroyed to change their number.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Outputs the PF's VFs afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override VfCountRequest Request => new(
        Count, DriversAutoprobe, Disables: false, PreserveSettings, AskBeforeDestroying: !Force, Persist);

    private protected override void Completed(SriovPf pf)
    {
        if (PassThru)
        {
            WriteHostObjects(Session.VfsOf(pf));
        }
    }
}
