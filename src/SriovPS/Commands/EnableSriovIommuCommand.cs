using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Boot;
using SriovPS.Errors;
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
            _maxVfs = (MaxVfs ?? []).Select(ModuleMaxVfs.Parse).ToList();
            if (_maxVfs.GroupBy(m => m.Module).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new SriovException(
                    ErrorCatalog.InvalidMaxVfs,
                    $"-MaxVfs names {twice.Key} more than once; give each driver one count.",
                    twice.Key);
            }

            foreach (var driver in _maxVfs)
            {
                CheckCount(driver);
            }
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

    /// <summary>A count above what this host's PFs with that driver support is refused before anything is written.</summary>
    private void CheckCount(ModuleMaxVfs driver)
    {
        driver.CheckKnown(TargetHost.Files, Session.AllPfs().Select(p => p.Driver));
        driver.CheckParameter(TargetHost.Files);

        var pfs = Session.AllPfs().Where(p => p.Driver is { } d && d.Replace('-', '_') == driver.Module).ToList();
        if (pfs.Count > 0 && pfs.Max(p => p.TotalVfs) is int most && driver.Count > most)
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"-MaxVfs {driver.Module}={driver.Count} is more than the {driver.Module} PFs here support: {string.Join(", ", pfs.Select(p => $"{p} {p.TotalVfs}"))} (sriov_totalvfs).",
                driver.Module,
                $"Give at most {most}: -MaxVfs {driver.Module}={most}.");
        }
    }
}
