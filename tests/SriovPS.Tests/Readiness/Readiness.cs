using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Readiness;

/// <summary>Runs the readiness checks on a fixture tree as Test-SriovHost does, and finds results in them.</summary>
internal static class Readiness
{
    public const string Eno49 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0";
    public const string Eno49Vf0 = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0";

    public static List<SriovHostCheck> Run(
        HostTree tree, LibvirtFacts? libvirt = null, string[]? pfNames = null, string[]? networks = null, string uri = "qemu:///system",
        SriovConsumer consumer = SriovConsumer.Libvirt, bool? wholeHost = null)
    {
        var discovery = new SriovDiscovery(tree.Files, PciIdDatabase.FromFirstExisting([tree.PathOf("/usr/share/misc/pci.ids")]));
        var pfs = discovery.GetPfs();
        var selected = pfNames is null ? null : discovery.GetPfs(includeNotCapable: true).Where(p => pfNames.Contains(p.Name)).ToList();
        return HostReadiness.Run(new HostReadinessInput
        {
            Files = tree.Files,
            Pfs = pfs,
            SelectedPfs = selected,
            SelectedNetworks = networks,
            VfsOf = pf => discovery.GetVfs(pf),
            Libvirt = libvirt,
            Uri = uri,
            Consumer = consumer,
            WholeHost = wholeHost,
        });
    }

    public static SriovHostCheck One(IEnumerable<SriovHostCheck> checks, string id, string? target = null) =>
        Assert.Single(checks, c => c.Id == id && (target is null || c.Target == target));

    /// <summary>Moves VF 0 of eno49 (0000:04:10.0, IOMMU group 39) to vfio-pci, as Set-SriovVfDriver does.</summary>
    public static void BindVf0ToVfio(HostTree tree)
    {
        tree.Delete(Eno49Vf0 + "/driver");
        File.CreateSymbolicLink(tree.PathOf(Eno49Vf0 + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
        tree.Delete(Eno49Vf0 + "/net");
        tree.Delete("/sys/class/net/enp4s16f0");
    }

    /// <summary>The statuses of the checks, in the order returned.</summary>
    public static List<SriovCheckStatus> Statuses(IEnumerable<SriovHostCheck> checks) => checks.Select(c => c.Status).ToList();
}
