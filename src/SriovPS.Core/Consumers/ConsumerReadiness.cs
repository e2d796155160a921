using SriovPS.Boot;
using SriovPS.Persistence;
using SriovPS.Readiness;
using SriovPS.VfCount;

namespace SriovPS.Consumers;

/// <summary>
/// A readiness run for a consumer other than libvirt (<c>Test-SriovHost -For</c>): the checks
/// <see cref="ConsumerChecks"/> gives it, failures first. This host's libvirt is never read here: it is
/// not what starts these containers and virtual machines.
/// </summary>
internal static class ConsumerReadiness
{
    public static List<SriovHostCheck> Run(HostReadinessInput input)
    {
        var wanted = ConsumerChecks.For(input.Consumer);
        var checks = new HostCheckList();
        var files = input.Files;
        string host = input.HostName ?? HostReadiness.HostName(files);
        var commandLine = KernelCommandLine.Read(files);
        bool iommuOn = false;
        if (wanted.Has(IommuChecks.EnabledId))
        {
            iommuOn = IommuChecks.Run(checks, files, host, commandLine, vfioRequired: ConsumerChecks.NeedsVfio(input.Consumer));
        }

        if (wanted.Has(VfioChecks.LoadedId))
        {
            VfioChecks.Run(checks, files, host, commandLine, required: ConsumerChecks.NeedsVfio(input.Consumer));
        }

        if (ConsumerChecks.ReadsOvs(input.Consumer))
        {
            OvsOffloadChecks.Host(checks, host, input.Ovs, input.OvsUnknown);
        }

        HostReadiness.NoPfs(checks, input, host);
        var pfs = input.SelectedPfs ?? input.Pfs;
        var vfsOf = HostReadiness.VfsOnce(input);
        string? udevRules = HostText.Read(files, UdevVfRules.HostPath);

        // The device plugin's file is written whole: its remedy names every PF checked that has VFs on vfio-pci.
        var vfioPfs = wanted.Has(ConsumerChecks.DevicePluginId)
            ? pfs.Where(pf => vfsOf(pf).Any(vf => VfHolderScan.IsVfioDriver(vf.Driver))).Select(pf => pf.Name ?? pf.PciAddress).ToList()
            : [];
        bool devKnown = input.WholeHost ?? files.IsLiveHost;
        var hwTcOffload = input.HwTcOffload ?? (_ => null);
        foreach (var pf in pfs)
        {
            var vfs = vfsOf(pf);
            PfChecks.Run(checks, files, pf, vfs, commandLine, iommuOn, udevRules, pooled: false, input.Consumer);
            if (wanted.Has(ConsumerChecks.VfioDriverId))
            {
                VfChecks.VfioDriver(checks, pf, vfs);
            }

            if (wanted.Has(ConsumerChecks.VfioDeviceId))
            {
                VfChecks.VfioDevice(checks, pf, vfs, devKnown);
            }

            if (wanted.Has(ConsumerChecks.DevicePluginId))
            {
                DevicePluginCheck.Run(checks, files, pf, vfs, vfioPfs);
            }

            if (wanted.Has(ConsumerChecks.KernelDriverId))
            {
                VfChecks.KernelDriver(checks, pf, vfs);
            }

            if (wanted.Has(ConsumerChecks.MacSetId))
            {
                VfChecks.MacSet(checks, files, pf, vfs, input.VfSettingsKnown);
            }

            if (ConsumerChecks.ReadsOvs(input.Consumer))
            {
                OvsOffloadChecks.Run(checks, files, pf, hwTcOffload, input.Ovs, input.VfSettingsKnown, named: input.SelectedPfs is not null);
            }
        }

        return checks.BySeverity();
    }
}
