using SriovPS.Kernel;
using SriovPS.Plans;

namespace SriovPS.PfSettings;

/// <summary>
/// The steps of <c>Set-SriovPf -HwTcOffload</c>: one per interface whose <c>hw-tc-offload</c> differs from
/// what is asked, the PF's first, then in switchdev mode each VF representor whose driver lets it change
/// (OVS offloads a flow only where both ends have TC offload on). Only the PF's interface must be
/// changeable: a representor whose driver fixes the feature is left and said.
/// </summary>
internal sealed class PfHwTcOffloadSteps(HostSession session, string kernelOnly)
{
    private NetdevFeatures Features => session.NetdevFeatures ?? throw new InvalidOperationException("Only the running kernel has features to change.");

    /// <summary>Adds the steps for <paramref name="pf"/>; returns the PF's own, <c>null</c> when it needs none.</summary>
    /// <exception cref="SriovException">
    /// Refused before any step: PfInterfaceMissing, OffloadFeatureFixed (the PF's driver fixes it),
    /// OffloadFeatureNotSupported (the live kernel cannot say), NetlinkPermissionDenied, OffloadFeatureUnreadable.
    /// </exception>
    public PlanStep? Add(ChangePlan plan, SriovPf pf, bool on)
    {
        if (pf.Name is not { } name)
        {
            throw PfErrors.InterfaceMissing(pf, "so its hw-tc-offload cannot be set");
        }

        string words = on ? "on" : "off";
        var features = session.NetdevFeatures;
        var state = features?.HwTcOffload(name);
        if (features is not null && !features.IsSaved && state is null)
        {
            throw new SriovException(
                ErrorCatalog.OffloadFeatureNotSupported,
                $"The features of {name} could not be read: this kernel has no ethtool netlink interface, or {name} is gone.",
                name,
                "ethtool netlink comes with Linux 5.6 and later; run Get-SriovPf to see the PF's interface as it is now.");
        }

        if (state is { Changeable: false } fixedState && fixedState.Active != on)
        {
            throw NetdevFeatureErrors.Fixed(name, Native.Netlink.Ethtool.HwTcOffload, fixedState.Active, pf.Driver);
        }

        var representors = Representors(plan, pf, name, on);
        PlanStep? pfStep = null;
        if (state?.Active == on)
        {
            plan.Report.Note($"{name} already has hw-tc-offload {words}: nothing sent.");
        }
        else
        {
            string and = representors.Count == 0 ? string.Empty : $" (and its representors {string.Join(", ", representors)})";
            pfStep = plan.Add(Step($"{pf.PciAddress} ({name})", name, on, pf.Driver, state, $"set hw-tc-offload {words} for {name}{and}"));
        }

        foreach (string representor in representors)
        {
            var before = features!.HwTcOffload(representor);
            plan.Add(Step(representor, representor, on, pf.Driver, before, $"set hw-tc-offload {words} for {representor} (representor of {name})"));
        }

        return pfStep;
    }

    /// <summary>The representors to change: known, changeable, not yet as asked; the others are said.</summary>
    private List<string> Representors(ChangePlan plan, SriovPf pf, string name, bool on)
    {
        var changed = new List<string>();
        var features = session.NetdevFeatures;
        if (pf.EswitchMode != EswitchMode.Switchdev || features is null)
        {
            return changed;
        }

        foreach (var representor in Kernel.Representors.Of(session.Files, name))
        {
            string rep = representor.Name;
            switch (features.HwTcOffload(rep))
            {
                case null when features.IsSaved:
                    // A snapshot that did not save it: shown as asked, as on a copied tree.
                    changed.Add(rep);
                    break;
                case null:
                    plan.Report.Note($"{rep} (representor of VF {representor.VfIndex} of {name}): its features could not be read, so it is left as it is.");
                    break;
                case { Changeable: false } fixedState:
                    plan.Report.Note($"{rep} (representor of VF {representor.VfIndex} of {name}): its driver{(pf.Driver is null ? string.Empty : $", {pf.Driver},")} fixes hw-tc-offload {(fixedState.Active ? "on" : "off")}, so it is left as it is.");
                    break;
                case { } current when current.Active == on:
                    plan.Report.Note($"{rep} (representor of VF {representor.VfIndex} of {name}) already has hw-tc-offload {(on ? "on" : "off")}: nothing sent.");
                    break;
                default:
                    changed.Add(rep);
                    break;
            }
        }

        return changed;
    }

    private PlanStep Step(string target, string interfaceName, bool on, string? driver, NetdevFeatureState? before, string action) =>
        new(target, action, _ =>
        {
            Features.SetHwTcOffload(interfaceName, on, driver);
            return null;
        })
        {
            LiveHostOnly = kernelOnly,
            Undo = before is { } previous ? _ => Features.SetHwTcOffload(interfaceName, previous.Active, driver) : null,
        };
}
