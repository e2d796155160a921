using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.AppArmor;

/// <summary>A vfio group whose device node QEMU must open, the device that makes it needed, and why.</summary>
internal sealed record VfioGroupNeed(int Group, string Device, string Why)
{
    public string Node => string.Create(CultureInfo.InvariantCulture, $"/dev/vfio/{Group}");
}

/// <summary>One AppArmor rule on <c>/dev/vfio/N</c> (or <c>/dev/vfio/*</c>), with the device SriovPS wrote it for.</summary>
internal sealed record VfioGroupRule(int? Group, string? Device, bool Ours, int Line, string Text);

/// <summary>
/// The rules SriovPS writes for vfio groups, one per line with the device it was written for in its
/// comment (<c>/dev/vfio/94 rw,  # SriovPS group of 0000:04:10.0: …</c>), and how such a rule goes stale:
/// group numbers are handed out as devices appear, so VFs created again may land in other groups.
/// </summary>
internal static partial class VfioGroupRules
{
    public const string Tag = "# SriovPS";

    /// <summary>The rule for every group, written only when asked for (<c>-AllGroups</c>).</summary>
    public const string AllGroupsRule = "/dev/vfio/* rw,  " + Tag + ": every vfio group (Repair-VfioAppArmor -AllGroups)";

    private const string GroupsDirectory = "/sys/kernel/iommu_groups";

    /// <remarks>The comment is one line whatever a pool's name holds: a line break would start a rule.</remarks>
    public static string RuleFor(VfioGroupNeed need) =>
        $"{need.Node} rw,  {Tag} group of {need.Device}: " +
        string.Concat(need.Why.Replace(", " + need.Device + ",", "", StringComparison.Ordinal).Select(c => char.IsControl(c) ? ' ' : c));

    /// <summary>The rules on single vfio groups or on all of them in <paramref name="text"/>, in file order.</summary>
    public static List<VfioGroupRule> Read(string? text)
    {
        var rules = new List<VfioGroupRule>();
        int number = 0;
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            number++;
            var match = GroupRule().Match(line);
            if (!match.Success)
            {
                continue;
            }

            int? group = match.Groups[1].Value == "*" ? null : int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            bool ours = match.Groups[2].Success;
            string? device = match.Groups[3].Success ? match.Groups[3].Value : null;
            rules.Add(new VfioGroupRule(group, device, ours, number, line.Trim()));
        }

        return rules;
    }

    /// <summary>The devices in IOMMU group <paramref name="group"/>; <c>null</c> when there is no such group.</summary>
    public static List<string>? DevicesOf(HostFileSystem files, int group)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"{GroupsDirectory}/{group}");
        return files.Exists(path) ? files.ListNames(path + "/devices").Order(StringComparer.Ordinal).ToList() : null;
    }

    /// <summary>Why a rule on one group no longer fits, or <c>null</c> when it does (or cannot be judged).</summary>
    public static string? Staleness(HostFileSystem files, VfioGroupRule rule)
    {
        if (rule.Group is not int group)
        {
            return null;
        }

        var devices = DevicesOf(files, group);
        if (devices is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"IOMMU group {group} no longer exists");
        }

        if (rule.Device is { } device && !devices.Contains(device, StringComparer.Ordinal))
        {
            string now = devices.Count == 0 ? "no device" : HostText.Join(devices);
            return string.Create(CultureInfo.InvariantCulture, $"IOMMU group {group} now holds {now}, not {device} (VFs created again get new group numbers)");
        }

        return null;
    }

    // [qualifiers] /dev/vfio/N PERMS,  [# SriovPS group of ADDRESS…]
    [GeneratedRegex(@"^\s*(?:(?:audit|allow|owner|file)\s+)*""?/dev/vfio/(\d+|\*)""?\s+[a-z]*w[a-z]*,\s*(# SriovPS(?: group of ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]))?)?")]
    private static partial Regex GroupRule();
}
