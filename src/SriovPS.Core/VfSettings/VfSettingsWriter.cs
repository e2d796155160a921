using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.VfSettings;

/// <summary>What became of a plan: the attributes the kernel took, and an error for each it refused.</summary>
internal sealed class VfSettingsOutcome(List<VfSettingChange> applied, List<SriovException> failures)
{
    internal IReadOnlyList<VfSettingChange> Applied { get; } = applied;

    internal IReadOnlyList<SriovException> Failures { get; } = failures;

    internal bool AppliedMacAddress => applied.Exists(static c => c.Kind == VfSettingKind.MacAddress);
}

/// <summary>
/// Sends a VF's planned changes, one RTM_SETLINK per attribute in plan order. A refused attribute
/// does not stop the ones after it (they are independent), except a refusal that would repeat for
/// every one (no permission, the PF gone); each refusal becomes an error that names the driver and
/// the attribute and says what was applied and what was not attempted.
/// </summary>
internal sealed class VfSettingsWriter(KernelLinks links)
{
    /// <summary>
    /// Sends <paramref name="plan"/> (nothing when it changes nothing) and tells <paramref name="report"/> each
    /// attribute the kernel took, in <c>ip link</c> words: "<paramref name="verb"/> eno49 vf 3 vlan 42.".
    /// </summary>
    internal VfSettingsOutcome ApplyAndTell(string pfName, string? pfDriver, int vf, VfSettingsPlan plan, IHostReport report, string verb)
    {
        if (plan.Changes.Count == 0)
        {
            return new VfSettingsOutcome([], []);
        }

        var outcome = Apply(pfName, pfDriver, vf, plan);
        foreach (var change in outcome.Applied)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"{verb} {pfName} vf {vf} {change.IpArguments}."));
        }

        return outcome;
    }

    /// <param name="pfName">The PF's interface, which carries the request.</param>
    /// <param name="pfDriver">The PF's driver, named in errors ("igb does not support …").</param>
    internal VfSettingsOutcome Apply(string pfName, string? pfDriver, int vf, VfSettingsPlan plan)
    {
        var applied = new List<VfSettingChange>(plan.Changes.Count);
        var refused = new List<(VfSettingChange Change, Exception Error)>();
        var notAttempted = new List<VfSettingChange>();
        foreach (var change in plan.Changes)
        {
            if (refused.Count > 0 && refused[^1].Error is NetlinkException { Errno: Errno.EPERM or Errno.EACCES or Errno.ENODEV })
            {
                notAttempted.Add(change);
                continue;
            }

            try
            {
                links.Change(LinkChanges.BuildSetVf(pfName, change.Write));
                applied.Add(change);
            }
            catch (Exception e) when (e is NetlinkException or NetlinkDecodeException)
            {
                refused.Add((change, e));
            }
        }

        var failures = new List<SriovException>(refused.Count);
        foreach (var (change, error) in refused)
        {
            var context = new VfChangeContext(pfName, pfDriver, vf, change, applied, notAttempted);
            failures.Add(error is NetlinkException netlink
                ? NetlinkErrors.ForVfChange(netlink, context)
                : NetlinkErrors.ForUnreadableAnswer((NetlinkDecodeException)error, context));
        }

        return new VfSettingsOutcome(applied, failures);
    }
}
