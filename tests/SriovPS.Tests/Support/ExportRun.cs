using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Export;
using SriovPS.Hosting;

namespace SriovPS.Tests.Support;

/// <summary>Runs an export on a host tree as the cmdlet does, keeping what it reported.</summary>
internal sealed class ExportRun : IDisposable
{
    public ExportRun(HostTree tree)
    {
        Tree = tree;
        Session = new HostSession(HostContext.FromRoot(tree.Root), new CallbackReport(warn: Warnings.Add, fail: Failures.Add));
    }

    public HostTree Tree { get; }

    public HostSession Session { get; }

    public List<string> Warnings { get; } = [];

    public List<SriovPS.Errors.SriovException> Failures { get; } = [];

    /// <summary>Every PF with VFs, whole (the cmdlet's default), or the VFs named per PF.</summary>
    public string Export(ExportRequest request, Dictionary<string, int[]>? vfs = null) =>
        string.Concat(Documents(request, vfs).Select(d => d.Text));

    public List<ExportDocument> Documents(ExportRequest request, Dictionary<string, int[]>? vfs = null)
    {
        var chosen = vfs is null
            ? Session.AllPfs().Where(p => p.NumVfs > 0).Select(p => (p, (IReadOnlySet<int>?)null)).ToList()
            : vfs.Select(v => (Session.AllPfs().Single(p => p.Name == v.Key), (IReadOnlySet<int>?)v.Value.ToHashSet())).ToList();
        return SriovConfigExport.Export(Session, request, chosen);
    }

    /// <summary>Every VF of the host as the device plugin sees it, read from the tree's files directly.</summary>
    public List<PluginDevice> PluginDevices() =>
        Session.AllPfs().SelectMany(pf => Session.VfsOf(pf).Select(vf => new PluginDevice(
            vf.PciAddress,
            Hex(Tree.Files.ReadAttribute($"/sys/bus/pci/devices/{pf.PciAddress}/vendor")),
            Hex(Tree.Files.ReadAttribute($"/sys/bus/pci/devices/{vf.PciAddress}/device")),
            vf.Driver,
            pf.Name,
            pf.PciAddress,
            vf.Index,
            Tree.Files.ReadAttribute($"/sys/class/net/{pf.Name}/type") == "1" ? "ether" : null))).ToList();

    /// <summary>Rebinds a VF in the tree: its driver link names <paramref name="driver"/>.</summary>
    public void MoveVf(string vfAddress, string driver)
    {
        string link = Tree.PathOf($"{SriovDiscovery.PciDevices}/{vfAddress}/driver");
        File.Delete(link);
        File.CreateSymbolicLink(link, "../../../../bus/pci/drivers/" + driver);
        Session.ForgetPfs();
    }

    public void Dispose()
    {
        Session.Dispose();
        Tree.Dispose();
    }

    private static string Hex(string? sysfs) => sysfs!.Replace("0x", "", StringComparison.Ordinal);
}
