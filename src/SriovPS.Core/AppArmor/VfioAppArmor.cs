using System.Text.RegularExpressions;
using SriovPS.Native.Files;
using SriovPS.Readiness;

namespace SriovPS.AppArmor;

/// <summary>What <c>Repair-VfioAppArmor</c> would change, worked out before anything is written.</summary>
internal sealed class VfioAppArmorPlan
{
    /// <summary>The abstraction, when it must be made to include the local file; <c>null</c> when it does already.</summary>
    public HostFileEdit? Abstraction { get; init; }

    /// <summary>The local additions; <c>null</c> when there is nothing to repair (see <see cref="NotConfined"/>).</summary>
    public HostFileEdit? Local { get; init; }

    /// <summary>Why AppArmor confines no QEMU started by libvirt on this host; <c>null</c> when it does.</summary>
    public string? NotConfined { get; init; }

    /// <summary>Whether rules for single groups are written (they need refreshing when VFs are created again).</summary>
    public bool AddsGroupRules { get; init; }

    /// <summary>What was judged and why (rules already there, stale ones dropped), for -Verbose.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Groups refused, each with its reason; the others are still planned.</summary>
    public List<Errors.SriovException> Refusals { get; } = [];
}

/// <summary>
/// The fix for QEMU's "failed to open /dev/vfio/N: Permission denied": rules that let QEMU open the
/// vfio groups of the VFs it is given, in <c>/etc/apparmor.d/local/abstractions/libvirt-qemu</c>
/// (the abstraction every libvirt guest's profile includes), which the abstraction is made to include
/// when its release does not. Rules SriovPS wrote earlier for groups that now hold other devices are
/// dropped; every other rule and line stays.
/// </summary>
internal static partial class VfioAppArmor
{
    private const string LocalHeader = "# Site-specific additions for libvirt-qemu (QEMU processes started by libvirt).\n";

    /// <param name="needs">The groups to allow (ignored with <paramref name="allGroups"/>).</param>
    /// <param name="allGroups">Allow every vfio group (<c>/dev/vfio/* rw,</c>) instead.</param>
    /// <exception cref="Errors.SriovException">A file cannot be read.</exception>
    public static VfioAppArmorPlan Plan(HostFileSystem files, IReadOnlyList<VfioGroupNeed> needs, bool allGroups)
    {
        var abstractionFile = new ConfigFile(files, LibvirtChecks.Abstraction);
        string? abstraction = abstractionFile.ReadText();
        if (abstraction is null)
        {
            return new VfioAppArmorPlan { NotConfined = $"there is no {LibvirtChecks.Abstraction}: libvirt's AppArmor profiles are not installed, so nothing confines QEMU's access to /dev/vfio" };
        }

        // A device's name is read from the host's tree and goes into the rule's comment: a name that is
        // not a PCI address (a line break in it would start a rule of its own) is refused.
        var refusals = needs.Where(n => !IsDeviceName(n.Device)).Select(Refused).ToList();
        needs = needs.Where(n => IsDeviceName(n.Device)).ToList();

        var localFile = new ConfigFile(files, LibvirtChecks.LocalAbstraction);
        string? local = localFile.ReadText();
        var notes = new List<string>();
        HostFileEdit? abstractionEdit = null;
        if (!AppArmorFileRules.Includes(abstraction, LibvirtChecks.LocalInclude))
        {
            string include = IncludeIfExistsKnown(files) ? $"include if exists <{LibvirtChecks.LocalInclude}>" : $"#include <{LibvirtChecks.LocalInclude}>";
            string newAbstraction = abstraction + (abstraction.Length == 0 || abstraction.EndsWith('\n') ? "" : "\n")
                + "\n  # Site-specific additions and overrides (added by Repair-VfioAppArmor).\n  " + include + "\n";
            abstractionEdit = new HostFileEdit(abstractionFile, abstraction, newAbstraction, $"include {LibvirtChecks.LocalAbstraction} ({include})", false);
        }

        // Rules SriovPS wrote for groups that now hold other devices go; with -AllGroups its single-group rules are covered.
        var lines = (local ?? string.Empty).Split('\n').ToList();
        var drop = new HashSet<int>();
        int stale = 0;
        foreach (var rule in VfioGroupRules.Read(local).Where(r => r.Ours && r.Group is not null))
        {
            if (VfioGroupRules.Staleness(files, rule) is { } why)
            {
                drop.Add(rule.Line);
                stale++;
                notes.Add($"Dropping '{rule.Text}' (line {rule.Line}): {why}.");
            }
            else if (allGroups)
            {
                drop.Add(rule.Line);
                notes.Add($"Dropping '{rule.Text}' (line {rule.Line}): /dev/vfio/* covers it.");
            }
        }

        var kept = lines.Where((_, index) => !drop.Contains(index + 1)).ToList();
        string keptText = string.Join('\n', kept);
        var rules = AppArmorFileRules.Parse(abstraction, LibvirtChecks.Abstraction);
        rules.AddRange(AppArmorFileRules.Parse(keptText, LibvirtChecks.LocalAbstraction));

        var added = new List<string>();
        if (allGroups)
        {
            if (AppArmorFileRules.ReadWriteGrant(rules, "/dev/vfio/*") is { Count: > 0 } grant)
            {
                notes.Add($"Every vfio group is already allowed: {string.Join("; ", grant)}.");
            }
            else
            {
                added.Add(VfioGroupRules.AllGroupsRule);
            }
        }
        else
        {
            foreach (var need in needs.DistinctBy(n => n.Group).OrderBy(n => n.Group))
            {
                if (AppArmorFileRules.ReadWriteGrant(rules, need.Node) is { Count: > 0 } grant)
                {
                    notes.Add($"{need.Node} ({need.Why}) is already allowed: {string.Join("; ", grant)}.");
                }
                else if (rules.FirstOrDefault(r => r.Deny && r.Covers(need.Node)) is { } deny)
                {
                    // A deny rule wins over any allow: a rule added after it would never take effect.
                    notes.Add($"{need.Node} ({need.Why}) is denied by {deny}: no rule is added; remove that rule to allow it.");
                }
                else
                {
                    added.Add(VfioGroupRules.RuleFor(need));
                }
            }
        }

        string summary = Summary(added, stale, drop.Count - stale, allGroups, needs.Count);
        HostFileEdit localEdit;
        // The include added below must find the file, even when it has no rule yet.
        if (added.Count == 0 && drop.Count == 0 && (local is not null || abstractionEdit is null))
        {
            // Nothing to write; a missing file is not created just to be empty.
            localEdit = new HostFileEdit(localFile, local ?? string.Empty, local ?? string.Empty, summary, false);
        }
        else
        {
            string start = local is null ? LocalHeader : keptText.Length == 0 || keptText.EndsWith('\n') ? keptText : keptText + "\n";
            localEdit = new HostFileEdit(localFile, local, start + string.Concat(added.Select(a => a + "\n")), summary, false);
        }

        var plan = new VfioAppArmorPlan
        {
            Abstraction = abstractionEdit,
            Local = localEdit,
            NotConfined = NotConfined(files),
            AddsGroupRules = added.Any(a => a != VfioGroupRules.AllGroupsRule),
        };
        plan.Notes.AddRange(notes);
        plan.Refusals.AddRange(refusals);
        return plan;
    }

    /// <summary>A PCI address as sysfs names a device: <c>0000:04:10.0</c> (a domain of up to 8 hex digits).</summary>
    internal static bool IsDeviceName(string device) => DeviceName().IsMatch(device);

    private static Errors.SriovException Refused(VfioGroupNeed need) => new(
        Errors.ErrorCatalog.InvalidDeviceName,
        $"IOMMU group {need.Group} holds a device named '{string.Concat(need.Device.Select(c => char.IsControl(c) ? '?' : c))}', which is not a PCI address, so no AppArmor rule is written for it.",
        need.Node,
        $"Look at /sys/kernel/iommu_groups/{need.Group}/devices: a device there should be named like 0000:04:10.0.");

    [GeneratedRegex(@"^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\z", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceName();

    /// <summary>Why AppArmor confines no QEMU here: not enabled in the kernel, or libvirt not told to use it; <c>null</c> when it does.</summary>
    public static string? NotConfined(HostFileSystem files)
    {
        string? enabled = files.ReadAttribute(LibvirtChecks.AppArmorEnabled)?.Trim();
        if (enabled != "Y")
        {
            return $"AppArmor is not enabled in this kernel ({LibvirtChecks.AppArmorEnabled} is {enabled ?? "absent"})";
        }

        return LibvirtChecks.Drivers(HostText.Read(files, LibvirtChecks.QemuConf)) is { } drivers && !drivers.Contains("apparmor")
            ? $"libvirt does not confine QEMU with AppArmor (security_driver in {LibvirtChecks.QemuConf} is {string.Join(", ", drivers)})"
            : null;
    }

    /// <summary>Whether this release's policy already uses <c>include if exists</c> (AppArmor 3); older parsers only know <c>#include</c>.</summary>
    private static bool IncludeIfExistsKnown(HostFileSystem files) =>
        files.ListNames("/etc/apparmor.d/abstractions").Any(name =>
            HostText.Read(files, "/etc/apparmor.d/abstractions/" + name)?.Contains("include if exists", StringComparison.Ordinal) == true);

    private static string Summary(List<string> added, int stale, int covered, bool allGroups, int asked)
    {
        var parts = new List<string>();
        if (added.Count > 0)
        {
            parts.Add("allow QEMU to open " + HostText.Join(added.Select(a => a[..a.IndexOf(' ')]).ToList()));
        }

        if (stale > 0)
        {
            parts.Add($"drop {stale} stale rule{(stale == 1 ? "" : "s")} written by SriovPS");
        }

        if (covered > 0)
        {
            parts.Add($"drop {covered} rule{(covered == 1 ? "" : "s")} on single groups written by SriovPS, which /dev/vfio/* covers");
        }

        return parts.Count > 0 ? string.Join("; ", parts)
            : allGroups ? "every vfio group is already allowed"
            : asked == 0 ? "no vfio group needs a rule"
            : "every vfio group asked for is already allowed";
    }
}
