using System.Text.RegularExpressions;
using SriovPS.AppArmor;
using SriovPS.Native.Files;

namespace SriovPS.Readiness;

/// <summary>
/// libvirt's side of giving a VF to a guest: libvirt answers, it hands QEMU the vfio group nodes
/// (<c>dynamic_ownership</c>), and AppArmor lets QEMU open them (the seeds' "failed to open
/// /dev/vfio/94: Permission denied").
/// </summary>
internal static partial class LibvirtChecks
{
    public const string ReachableId = "Libvirt.Reachable";
    public const string DynamicOwnershipId = "Libvirt.DynamicOwnership";
    public const string AppArmorVfioId = "Libvirt.AppArmorVfio";
    public const string AppArmorStaleId = "Libvirt.AppArmorStaleRules";

    internal const string QemuConf = "/etc/libvirt/qemu.conf";
    internal const string Abstraction = "/etc/apparmor.d/abstractions/libvirt-qemu";
    internal const string LocalAbstraction = "/etc/apparmor.d/local/abstractions/libvirt-qemu";

    /// <summary>The local abstraction as the abstraction's include names it.</summary>
    internal const string LocalInclude = "local/abstractions/libvirt-qemu";
    internal const string AppArmorEnabled = "/sys/module/apparmor/parameters/enabled";
    private const string PermissionDenied = "failed to open /dev/vfio/{0}: Permission denied";

    /// <summary>Adds the reachability check; returns whether libvirt answered.</summary>
    public static bool Reachable(HostCheckList checks, LibvirtFacts? facts, string hostRoot, string uri)
    {
        if (facts is null)
        {
            checks.Skip(ReachableId, uri, $"Not judged: {HostContext.RootVariable} or -HostRoot names a copied host tree ({hostRoot}), or a snapshot of one; " +
                "libvirt is only asked on the live host, so pools and guests are not checked.");
            return false;
        }

        if (facts.Failure is { } failure)
        {
            checks.Fail(ReachableId, uri, failure.Message, failure.Remedy ?? "Start libvirtd: systemctl start libvirtd");
            return false;
        }

        var inventory = facts.Inventory!;
        checks.Pass(ReachableId, uri, string.Create(CultureInfo.InvariantCulture,
            $"libvirt answered at {uri}: {inventory.Networks.Count} SR-IOV networks, {inventory.Guests.Count} guests."));
        return true;
    }

    public static void DynamicOwnership(HostCheckList checks, HostFileSystem files)
    {
        string? text = HostText.Read(files, QemuConf);
        if (text is null)
        {
            checks.Skip(DynamicOwnershipId, QemuConf, files.Exists(QemuConf)
                ? $"Not judged: {QemuConf} could not be read (it is readable by root only)."
                : $"Not judged: there is no {QemuConf} (libvirt's QEMU driver is not installed).");
            return;
        }

        // QEMU running as root opens any node, whoever owns it.
        if (Setting(text, "user") is { Value: "\"root\"" or "\"+0\"" } root)
        {
            checks.Pass(DynamicOwnershipId, QemuConf, string.Create(CultureInfo.InvariantCulture,
                $"QEMU runs as root (user = {root.Value}, {QemuConf} line {root.Line}), so the owner of /dev/vfio/N does not matter."));
            return;
        }

        var setting = Setting(text, "dynamic_ownership");
        if (setting is not { Value: "0" } off)
        {
            checks.Pass(DynamicOwnershipId, QemuConf,
                setting is { } on
                    ? $"libvirt gives QEMU the vfio group nodes of its VFs (dynamic_ownership = {on.Value}, {QemuConf} line {on.Line})."
                    : $"libvirt gives QEMU the vfio group nodes of its VFs ({QemuConf} does not set dynamic_ownership, which defaults to 1).");
            return;
        }

        checks.Fail(DynamicOwnershipId, QemuConf, string.Create(CultureInfo.InvariantCulture,
            $"dynamic_ownership = 0 ({QemuConf} line {off.Line}): libvirt leaves /dev/vfio/N owned by root, so QEMU fails with " +
            $"\"{string.Format(CultureInfo.InvariantCulture, PermissionDenied, "N")}\"."),
            $"Set dynamic_ownership = 1 in {QemuConf} (or delete the line), then restart libvirtd.");
    }

    /// <param name="groups">The vfio groups of the VFs pools hand out, each with why.</param>
    /// <param name="poolsKnown">Whether this machine's pools were read (its libvirt answered).</param>
    /// <param name="wholeHost">Whether a file missing from <paramref name="files"/> is missing on the host (not a copied tree).</param>
    public static void AppArmorVfio(HostCheckList checks, HostFileSystem files, IReadOnlyList<VfioGroupNeed> groups, bool poolsKnown, bool wholeHost)
    {
        string? enabled = files.ReadAttribute(AppArmorEnabled)?.Trim();
        if (enabled is null && !wholeHost)
        {
            checks.Skip(AppArmorVfioId, Abstraction, $"Not judged: whether AppArmor is active is read from {AppArmorEnabled}, which the copied tree lacks.");
            return;
        }

        if (enabled != "Y")
        {
            checks.Pass(AppArmorVfioId, Abstraction, $"AppArmor is not active ({AppArmorEnabled} is {enabled ?? "absent"}): it confines no QEMU process.");
            return;
        }

        if (Drivers(HostText.Read(files, QemuConf)) is { } drivers && !drivers.Contains("apparmor"))
        {
            checks.Pass(AppArmorVfioId, Abstraction,
                $"libvirt does not confine QEMU with AppArmor (security_driver is {string.Join(", ", drivers.Select(d => '"' + d + '"'))} in {QemuConf}).");
            return;
        }

        string? abstraction = HostText.Read(files, Abstraction);
        if (abstraction is null)
        {
            checks.Pass(AppArmorVfioId, Abstraction, $"AppArmor is active, but there is no {Abstraction}: libvirt's AppArmor profiles are not installed, so QEMU is not confined by them.");
            return;
        }

        if (!poolsKnown)
        {
            checks.Skip(AppArmorVfioId, Abstraction,
                "Not judged: the vfio groups QEMU must open are those of the VFs SR-IOV pools hand out, and this machine's libvirt was not read.");
            return;
        }

        if (groups.Count == 0)
        {
            checks.Pass(AppArmorVfioId, Abstraction,
                "No SR-IOV pool has VFs, so no vfio group needs a rule (libvirt writes the rule for a fixed VF into the guest's own profile).");
            return;
        }

        var rules = AppArmorFileRules.Parse(abstraction, Abstraction);
        bool localIncluded = AppArmorFileRules.Includes(abstraction, LocalInclude);
        if (localIncluded)
        {
            rules.AddRange(AppArmorFileRules.Parse(HostText.Read(files, LocalAbstraction), LocalAbstraction));
        }

        var denied = new List<VfioGroupNeed>();
        var grants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var need in groups.OrderBy(g => g.Group))
        {
            if (AppArmorFileRules.ReadWriteGrant(rules, need.Node) is { Count: > 0 } granting)
            {
                grants.UnionWith(granting.Select(g => g.ToString()));
            }
            else
            {
                denied.Add(need);
            }
        }

        string nodes = HostText.Join(groups.Select(g => g.Group).Distinct().Order().Select(g => "/dev/vfio/" + g.ToString(CultureInfo.InvariantCulture)).ToList());
        if (denied.Count == 0)
        {
            checks.Pass(AppArmorVfioId, Abstraction, $"AppArmor lets QEMU open {nodes}: {string.Join("; ", grants)}.");
            return;
        }

        string local = localIncluded ? $" or {LocalAbstraction}" : $" (which does not include {LocalAbstraction})";
        var first = denied[0];
        string list = string.Join("; ", denied.Take(4).Select(d => string.Create(CultureInfo.InvariantCulture, $"/dev/vfio/{d.Group} ({d.Why})")))
            + (denied.Count > 4 ? "; …" : "");
        checks.Fail(AppArmorVfioId, Abstraction,
            $"AppArmor confines QEMU, and no rule in {Abstraction}{local} lets it open {list}: a guest given such a VF fails with " +
            $"\"{string.Format(CultureInfo.InvariantCulture, PermissionDenied, first.Group)}\".",
            "Repair-VfioAppArmor",
            HostRepair.VfioAppArmor);
    }

    /// <summary>
    /// Rules on single vfio groups (<c>/dev/vfio/94 rw,</c>) whose group is gone, or, for those SriovPS
    /// wrote, now holds other devices: VFs created again get new group numbers, and such a rule then
    /// fails the guest or lets QEMU open a device it was never meant to. No result when no rule names a group.
    /// </summary>
    public static void AppArmorStaleRules(HostCheckList checks, HostFileSystem files)
    {
        string? abstraction = HostText.Read(files, Abstraction);
        if (abstraction is null)
        {
            return;
        }

        var rules = VfioGroupRules.Read(abstraction).Select(r => (File: Abstraction, Rule: r)).ToList();
        if (AppArmorFileRules.Includes(abstraction, LocalInclude))
        {
            rules.AddRange(VfioGroupRules.Read(HostText.Read(files, LocalAbstraction)).Select(r => (File: LocalAbstraction, Rule: r)));
        }

        rules.RemoveAll(r => r.Rule.Group is null);
        if (rules.Count == 0)
        {
            return;
        }

        var stale = rules.Select(r => (r.File, r.Rule, Why: VfioGroupRules.Staleness(files, r.Rule))).Where(r => r.Why is not null).ToList();
        string target = stale.Count > 0 ? stale[0].File : rules[0].File;
        if (stale.Count == 0)
        {
            checks.Pass(AppArmorStaleId, target, string.Create(CultureInfo.InvariantCulture,
                $"The {rules.Count} AppArmor rule{(rules.Count == 1 ? "" : "s")} on single vfio groups ({HostText.Join(rules.Select(r => "/dev/vfio/" + r.Rule.Group).Distinct().ToList())}) name groups that hold the devices they were written for."));
            return;
        }

        string list = string.Join("; ", stale.Select(s => string.Create(CultureInfo.InvariantCulture, $"'{s.Rule.Text}' ({s.File} line {s.Rule.Line}): {s.Why}")));
        var others = stale.Where(s => !s.Rule.Ours).ToList();
        string remedy = others.Count == 0
            ? "Repair-VfioAppArmor (rewrites the rules it wrote for the groups the VFs are in now)."
            : "Delete " + string.Join(", ", others.Select(s => string.Create(CultureInfo.InvariantCulture, $"line {s.Rule.Line} of {s.File}")))
                + (others.Count < stale.Count ? "; then Repair-VfioAppArmor rewrites the rules it wrote." : ", then run Repair-VfioAppArmor.");
        checks.Warn(AppArmorStaleId, target,
            $"Stale AppArmor rules on vfio groups: {list}. A guest given a VF in the group that replaced it fails with \"failed to open /dev/vfio/N: Permission denied\".",
            remedy,
            others.Count == 0 ? HostRepair.VfioAppArmor : null);
    }

    /// <summary>The last uncommented <c>key = value</c> of a libvirt configuration file, with its line.</summary>
    internal static (string Value, int Line)? Setting(string text, string key)
    {
        (string, int)? found = null;
        foreach (var (number, line) in HostText.ConfigLines(text))
        {
            int equals = line.IndexOf('=');
            if (equals > 0 && line[..equals].Trim() == key)
            {
                found = (line[(equals + 1)..].Trim(), number);
            }
        }

        return found;
    }

    /// <summary>The security drivers qemu.conf names (<c>"none"</c>, or a list); <c>null</c> when it names none (the default: AppArmor where active).</summary>
    internal static List<string>? Drivers(string? text)
    {
        // The value may be a list spread over several lines: security_driver = [ "selinux",\n "apparmor" ].
        var match = text is null ? null : SecurityDriver().Matches(text).LastOrDefault();
        return match is null ? null : QuotedString().Matches(match.Groups[1].Value).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex("^[ \\t]*security_driver[ \\t]*=[ \\t]*(\\[[^\\]]*\\]|\"[^\"\\n]*\")", RegexOptions.Multiline)]
    private static partial Regex SecurityDriver();
}
