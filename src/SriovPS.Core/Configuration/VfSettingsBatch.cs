using System.Text;
using SriovPS.Kernel;
using SriovPS.Plans;
using SriovPS.VfDriver;
using SriovPS.VfSettings;

namespace SriovPS.Configuration;

/// <summary>
/// The settings of a PF's VFs as one step: the VFs read once (one netlink dump for all of them), then for
/// each only the attributes that differ sent, as <c>Set-SriovVf</c> sends them. A refused attribute takes
/// back what the step sent before failing it, so a failed step has changed nothing; made, the step is
/// taken back by sending each VF the values it had.
/// </summary>
internal sealed class VfSettingsBatch
{
    private readonly KernelLinks _links;
    private readonly string _name;
    private readonly string? _driver;
    private readonly Func<Dictionary<int, SriovVf>> _readVfs;
    private readonly List<DesiredVf> _vfs;
    private Func<SriovVf, byte[], StepContext, bool>? _rebind;
    private readonly List<(int Index, VfSettingsPlan Plan, IReadOnlyList<VfSettingChange> Applied)> _sent = [];

    /// <param name="name">The PF's interface, which carries the requests.</param>
    /// <param name="driver">The PF's driver, named in errors.</param>
    /// <param name="readVfs">The PF's VFs as the kernel reports them now, by index: one read for all.</param>
    internal VfSettingsBatch(KernelLinks links, string name, string? driver, Func<Dictionary<int, SriovVf>> readVfs, List<DesiredVf> vfs)
    {
        _links = links;
        _name = name;
        _driver = driver;
        _readVfs = readVfs;
        _vfs = vfs;
    }

    /// <summary>The step for <paramref name="pf"/>'s VF settings; null when every VF already has them.</summary>
    /// <param name="created">Whether an earlier step creates the PF's VFs anew: their settings are then shown as asked.</param>
    /// <exception cref="SriovException">A request does not fit a VF as it is (QoS on an untagged VF), before anything is asked.</exception>
    public static PlanStep? Step(HostSession session, DesiredPf pf, bool created, IReadOnlyList<PlanStep> after)
    {
        var vfs = pf.Vfs.Values.Where(v => v.Entry.HasSettings).ToList();
        if (vfs.Count == 0)
        {
            return null;
        }

        // On a copied tree nothing is read or sent: the step is described, and refused when confirmed.
        var links = session.KernelLinks;
        var batch = new VfSettingsBatch(links!, pf.Pf.Name!, pf.Pf.Driver, () => Now(session, pf), vfs)
        {
            _rebind = (vf, mac, context) => Rebind(session, vf, mac, context),
        };
        var present = created || links is null ? null : batch._readVfs();
        string? action;
        try
        {
            action = batch.Describe(present);
        }
        catch (SriovException e) when (e.Id == ErrorCatalog.InvalidVfSetting)
        {
            // A request that does not fit the VF as it is (a priority on an untagged VF), said at the PF's entry.
            throw JsonFields.Problem(pf.Entry.At("vfs"), e.Message);
        }

        return action is null ? null : new PlanStep($"{pf.Pf.PciAddress} ({pf.Label})", action, context =>
        {
            batch.Apply(context);
            return null;
        })
        {
            After = after,
            LiveHostOnly = VfSettingsStep.LiveHostOnly,
            LiveHostLabel = pf.Label,
            Undo = batch.Undo,
        };
    }

    /// <summary>
    /// A VF whose interface here is down and unused gets its driver rebound, so the interface carries the
    /// MAC the PF now holds (igbvf and ixgbevf read it only when they initialise the VF), as Set-SriovVf
    /// -Rebind does; one in use is left as it is. Returns whether the interface carries the MAC.
    /// </summary>
    private static bool Rebind(HostSession session, SriovVf vf, byte[] mac, StepContext context)
    {
        var need = VfRebind.Assess(vf, mac, session.Files);
        if (need != VfRebindNeed.Needed)
        {
            return need == VfRebindNeed.NotNeeded;
        }

        var (name, _) = VfRebind.RebindAndAdopt(session.KernelLinks!, session.Files, vf, mac, TimeSpan.FromSeconds(10), context.Cancellation);
        session.Discovery.ForgetInterfaces();
        context.Report.Note(name is null
            ? $"Rebound {vf.PciAddress} to {vf.Driver}, but no interface appeared within 10 s."
            : $"Rebound {vf.PciAddress} to {vf.Driver}; its interface {name} carries the administrative MAC.");
        return name is not null;
    }

    private static Dictionary<int, SriovVf> Now(HostSession session, DesiredPf pf) =>
        session.VfsOf(session.PfAt(pf.Pf.PciAddress) ?? throw PfErrors.Gone(pf.Pf)).ToDictionary(v => v.Index);

    /// <summary>One line per VF that changes, in <c>ip link</c> words; null when none does.</summary>
    /// <param name="present">The VFs now; null when they are still to be created, or cannot be read: then every setting asked is shown.</param>
    internal string? Describe(Dictionary<int, SriovVf>? present)
    {
        var lines = new StringBuilder();
        int changing = 0;
        foreach (var vf in _vfs)
        {
            var plan = present?.GetValueOrDefault(vf.Index) is { } now ? VfSettingsPlan.For(vf.Settings, now) : VfSettingsPlan.Describe(vf.Settings, vf.Index);
            if (plan.Changes.Count > 0)
            {
                changing++;
                lines.Append(CultureInfo.InvariantCulture, $"\n  ip link set {_name} vf {vf.Index} {plan.IpArguments}");
            }
        }

        return changing == 0 ? null : $"set {changing} VF{(changing == 1 ? string.Empty : "s")} of {_name}:{lines}";
    }

    /// <summary>Sends what differs now; returns how many VFs were changed.</summary>
    internal int Apply(StepContext context)
    {
        _sent.Clear();
        var writer = new VfSettingsWriter(_links);
        var now = _readVfs();
        bool macsWaiting = false;
        for (int i = 0; i < _vfs.Count; i++)
        {
            var want = _vfs[i];
            context.Progress(_name, $"vf {want.Index}", i * 100 / _vfs.Count);
            if (now.GetValueOrDefault(want.Index) is not { } vf)
            {
                TakeBackAfterFailure(context);
                throw VfErrors.Vanished(_name, want.Index);
            }

            VfSettingsPlan plan;
            try
            {
                plan = VfSettingsPlan.For(want.Settings, vf);
            }
            catch (SriovException)
            {
                TakeBackAfterFailure(context);
                throw;
            }

            if (plan.Changes.Count == 0)
            {
                continue;
            }

            var outcome = writer.ApplyAndTell(_name, _driver, want.Index, plan, context.Report, "Set");
            _sent.Add((want.Index, plan, outcome.Applied));

            if (outcome.Failures.Count > 0)
            {
                context.ProgressDone(_name);
                outcome.Failures.Skip(1).ToList().ForEach(context.Report.Fail);
                TakeBackAfterFailure(context);
                throw outcome.Failures[0];
            }

            if (outcome.AppliedMacAddress && vf.Name is not null && want.Settings.MacAddress is { } mac)
            {
                macsWaiting |= _rebind is null || !_rebind(vf, mac, context);
            }
        }

        context.ProgressDone(_name);
        if (macsWaiting)
        {
            context.Report.Warn($"{_name}: the PF holds the VFs' new MACs, but the interfaces of VFs in use take them only when their driver next initialises the VF (Set-SriovVf -Rebind does it once they are free).");
        }

        return _sent.Count;
    }

    private void Undo(StepContext context) => TakeBack(context);

    /// <summary>Takes back what the failing step sent; its own failure is the one the step ends with.</summary>
    private void TakeBackAfterFailure(StepContext context)
    {
        try
        {
            TakeBack(context);
        }
        catch (SriovException e)
        {
            context.Report.Fail(e);
        }
    }

    /// <summary>Sends each VF changed the values it had, newest first; what cannot be put back is said.</summary>
    internal void TakeBack(StepContext context)
    {
        var writer = new VfSettingsWriter(_links);
        SriovException? first = null;
        for (int i = _sent.Count - 1; i >= 0; i--)
        {
            var (index, plan, applied) = _sent[i];
            var restore = plan.Restoring(out var unknown, [.. applied]);
            foreach (string setting in unknown)
            {
                context.Report.Warn($"{_name} vf {index}: {setting} is not taken back: the driver did not report the value it had before.");
            }

            var outcome = writer.ApplyAndTell(_name, _driver, index, restore, context.Report, "Put back");

            foreach (var failure in outcome.Failures)
            {
                if (first is null)
                {
                    first = failure;
                }
                else
                {
                    context.Report.Fail(failure);
                }
            }
        }

        _sent.Clear();
        if (first is not null)
        {
            throw first;
        }
    }
}
