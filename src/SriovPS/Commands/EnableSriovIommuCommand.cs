using SriovPS.Boot;
using SriovPS.Readiness;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Makes the host boot with its IOMMU on and vfio loaded: the kernel words in /etc/default/grub, /etc/modules-load.d/vfio.conf, and GRUB's configuration regenerated.</para>
/// <para type="description">Adds intel_iommu=on (Intel) and iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT, drops contrary words, optionally gives drivers a VF count (igb.max_vfs=7), lists vfio, vfio_iommu_type1 and vfio_pci for boot, and runs update-grub or grub2-mkconfig. With -VfioOnly, only the vfio modules are listed.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "SriovIommu", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = BootSet)]
[OutputType(typeof(SriovHostChange))]
public sealed class EnableSriovIommuCommand : SriovCmdlet
{
    private const string BootSet = "Boot";
    private const string VfioOnlySet = "VfioOnly";

    private List<ModuleMaxVfs> _maxVfs = [];

    /// <summary>VF counts given to drivers at boot, as DRIVER=COUNT: <c>igb=7</c> adds <c>igb.max_vfs=7</c>.</summary>
    [Parameter(ParameterSetName = BootSet)]
    [ValidateNotNullOrEmpty]
    public string[]? MaxVfs { get; set; }

    /// <summary>Leaves GRUB's configuration as it is: run update-grub (or grub2-mkconfig) yourself before the reboot.</summary>
    [Parameter(ParameterSetName = BootSet)]
    public SwitchParameter NoRegenerate { get; set; }

    /// <summary>
    /// Only lists the vfio modules for boot (/etc/modules-load.d/vfio.conf); the kernel command line and
    /// GRUB are left alone, so it also serves hosts that do not boot with GRUB.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = VfioOnlySet)]
    public SwitchParameter VfioOnly { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            // A count this host cannot take is refused before anything is written.
            _maxVfs = MaxVfsRequest.Parse(Session, MaxVfs ?? []);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
    }

    protected override void EndProcessing()
    {
        var plan = new HostRepairs(Session).Iommu(_maxVfs, commandLine: !VfioOnly, modules: true, regenerate: !NoRegenerate);
        // Files that needed no change are reported too; a declined or failed change is not.
        var changes = ApplyPlan(plan).Changes;

        // In the order a reader follows: the kernel command line, the modules, then GRUB's configuration.
        foreach (var change in plan.Unchanged.Concat(changes).OrderBy(c => Order(c.Path)))
        {
            WriteObject(change);
        }
    }

    private static int Order(string path) => path switch
    {
        GrubCommandLine.HostPath => 0,
        VfioModulesLoad.HostPath => 1,
        _ => 2,
    };
}
