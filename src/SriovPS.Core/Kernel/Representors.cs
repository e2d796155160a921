using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Kernel;

/// <summary>One VF's representor: the interface in the host that stands for the VF's port on the PF's eswitch.</summary>
internal sealed record Representor(int VfIndex, string Name);

/// <summary>
/// A PF's VF representors, found as <c>devlink port</c> and udev's naming find them: the interfaces that
/// share the PF's switch (<c>phys_switch_id</c>), hang off the PF's own device and name a VF port of this
/// host (<c>phys_port_name</c> pf0vf3). They exist only in switchdev mode.
/// </summary>
internal static partial class Representors
{
    /// <summary>The representors of the PF whose interface is <paramref name="pfName"/>, by VF index; none when it has no switch id.</summary>
    public static IReadOnlyList<Representor> Of(HostFileSystem files, string pfName)
    {
        if (SwitchId(files, pfName) is not { } switchId || DeviceOf(files, pfName) is not { } device)
        {
            return [];
        }

        var found = new List<Representor>();
        foreach (string name in files.ListNames("/sys/class/net"))
        {
            // mlx5 gives both ports of a NIC one switch id (the NIC's image GUID) and puts each port's
            // representors under that port's PCI function; netdevsim puts a port and its representors under
            // one device. So the device tells this PF's representors from the other port's.
            if (name == pfName || SwitchId(files, name) != switchId || DeviceOf(files, name) != device)
            {
                continue;
            }

            string? port = files.ReadAttribute($"/sys/class/net/{name}/phys_port_name")?.Trim();
            if (port is not null && OwnVfPort().Match(port) is { Success: true } match)
            {
                found.Add(new Representor(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), name));
            }
        }

        found.Sort((a, b) => a.VfIndex != b.VfIndex ? a.VfIndex.CompareTo(b.VfIndex) : string.CompareOrdinal(a.Name, b.Name));
        return found;
    }

    /// <summary>
    /// The name of the device an interface belongs to (its <c>device</c> link's last component: a PCI
    /// address, or netdevsimN); <c>null</c> for a virtual interface (a bridge, a tap, a tunnel).
    /// </summary>
    public static string? DeviceOf(HostFileSystem files, string name)
    {
        if (files.ReadLinkName($"/sys/class/net/{name}/device") is { } device)
        {
            return device;
        }

        // Snapshots taken before they kept the device link: the interface's directory is DEVICE/net/NAME.
        var parts = files.ReadLink($"/sys/class/net/{name}")?.Split('/');
        return parts is { Length: >= 4 } && parts[^2] == "net" && parts[^3] is not ("virtual" or "..") ? parts[^3] : null;
    }

    /// <summary>
    /// Whether the interface at <paramref name="netPath"/> (<c>/sys/class/net/NAME</c>, or a device's
    /// <c>net/NAME</c>) is a VF representor: mlx5 puts them in the PF's own <c>net/</c> directory, beside its uplink.
    /// </summary>
    public static bool IsRepresentor(HostFileSystem files, string netPath) =>
        files.ReadAttribute(netPath + "/phys_port_name")?.Trim() is { } port && VfPort().IsMatch(port);

    // Reading phys_switch_id fails (EOPNOTSUPP) for interfaces without a switch; that reads as none.
    private static string? SwitchId(HostFileSystem files, string name) =>
        files.ReadAttribute($"/sys/class/net/{name}/phys_switch_id")?.Trim() is { Length: > 0 } id ? id : null;

    [GeneratedRegex(@"^(?:c\d+)?pf\d+vf(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex VfPort();

    // c1pf0vf3 is a VF of another host's controller (a SmartNIC's host, seen from its Arm cores): not this PF's.
    [GeneratedRegex(@"^pf\d+vf(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnVfPort();
}
