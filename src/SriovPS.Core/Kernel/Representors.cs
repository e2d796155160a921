using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Kernel;

/// <summary>One VF's representor: the interface in the host that stands for the VF's port on the PF's eswitch.</summary>
internal sealed record Representor(int VfIndex, string Name);

/// <summary>
/// A PF's VF representors, found as <c>devlink port</c> and udev's naming find them: the interfaces that
/// share the PF's switch (<c>phys_switch_id</c>) and name a VF port (<c>phys_port_name</c> pf0vf3, or
/// c1pf0vf3 on a SmartNIC's host controller). They exist only in switchdev mode.
/// </summary>
internal static partial class Representors
{
    /// <summary>The representors of the PF whose interface is <paramref name="pfName"/>, by VF index; none when it has no switch id.</summary>
    public static IReadOnlyList<Representor> Of(HostFileSystem files, string pfName)
    {
        if (SwitchId(files, pfName) is not { } switchId)
        {
            return [];
        }

        var found = new List<Representor>();
        foreach (string name in files.ListNames("/sys/class/net"))
        {
            if (name == pfName || SwitchId(files, name) != switchId)
            {
                continue;
            }

            string? port = files.ReadAttribute($"/sys/class/net/{name}/phys_port_name")?.Trim();
            if (port is not null && VfPort().Match(port) is { Success: true } match)
            {
                found.Add(new Representor(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), name));
            }
        }

        found.Sort((a, b) => a.VfIndex != b.VfIndex ? a.VfIndex.CompareTo(b.VfIndex) : string.CompareOrdinal(a.Name, b.Name));
        return found;
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
}
