using System;
using System.IO;
using System.Linq;

namespace SriovPS.Tests.Lab;

/// <summary>
/// A netdevsim device with VFs in the lab guest: a software PF whose driver keeps every VF setting,
/// including link state and both rates, which igb does not. Its PF is not a PCI device, so it is
/// read by interface name.
/// </summary>
internal sealed class NetdevsimLab : IDisposable
{
    private const string Bus = "/sys/bus/netdevsim";
    private readonly int _id;

    public NetdevsimLab(int id, int vfs)
    {
        _id = id;
        if (!Directory.Exists(Bus))
        {
            LabHost.Run("modprobe", "netdevsim");
        }

        if (!Directory.Exists("/sys/kernel/debug/netdevsim"))
        {
            LabHost.Run("mount", "-t", "debugfs", "debugfs", "/sys/kernel/debug");
        }

        LabHost.Write($"{Bus}/new_device", $"{id} 1");
        string device = $"{Bus}/devices/netdevsim{id}";
        try
        {
            LabHost.WaitUntil(() => Directory.Exists($"{device}/net") && Directory.GetDirectories($"{device}/net").Length == 1, $"netdevsim{id}'s interface");
            LabHost.Write($"/sys/kernel/debug/netdevsim/netdevsim{id}/max_vfs", vfs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            LabHost.Write($"{device}/sriov_numvfs", vfs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Name = Path.GetFileName(Directory.GetDirectories($"{device}/net").Single());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The PF's interface.</summary>
    public string Name { get; } = string.Empty;

    public void Dispose() => LabHost.Write($"{Bus}/del_device", _id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
