using SriovPS.Plans;
using SriovPS.Values;
using SriovPS.VfDriver;

namespace SriovPS.VfSettings;

/// <summary>
/// Plans <c>Set-SriovVf</c>, one VF at a time so each is asked about, changed and read back in turn:
/// which VF a PF and number (or a VF piped in) names, what must be sent to it, and whether its driver
/// must be rebound for a new MAC to reach its interface. One planner serves a whole command, so that
/// a MAC given to one VF is refused for any other VF the command names, however the VFs arrive.
/// With "auto" for the MAC, the VFs are taken together: every VF's MAC is worked out and checked
/// (<see cref="AutoMacAssignment"/>) before the first is planned. A VF a running guest holds is left
/// out of "auto": libvirt gave it the guest's MAC, which the guest's network relies on.
/// </summary>
internal sealed class VfSettingsPlanner(HostSession session, VfSettingsRequest request, bool rebind)
{
    private (string Pf, int Index)? _macTarget;
    private Dictionary<(string Pf, int Index), byte[]>? _autoMacs;

    // VF (PF PCI address, index) → the running guest holding it; read for "auto" only.
    private Dictionary<(string Pf, int Index), string> _guestVfs = [];

    /// <summary>Whether each VF's MAC is derived from its PF's, so the VFs must be planned together (<see cref="ForTogether"/>).</summary>
    internal bool AutoMacAddress => request.AutoMacAddress;

    /// <summary>Whether a MAC (not the all-zeros clear) is being assigned: one VF only may get it.</summary>
    private bool AssignsMac => request.MacAddress is { } mac && Array.Exists(mac, static b => b != 0);

    /// <summary>VFs <paramref name="indexes"/> of each of <paramref name="pfs"/>, each planned when it is taken (after the one before it was made).</summary>
    internal IEnumerable<PlannedVfSettings> ForNamed(IReadOnlyList<SriovPf> pfs, IReadOnlyList<int> indexes)
    {
        int count = pfs.Count * indexes.Count;
        if (AssignsMac && count > 1)
        {
            // Known before anything is sent: refuse the whole call rather than give two VFs one MAC.
            yield return PlannedVfSettings.Refused(SameMacTwice($"{count} VFs"));
            yield break;
        }

        var named = pfs.SelectMany(pf => indexes.Select(index => (pf, index))).ToList();
        foreach (var planned in request.AutoMacAddress ? ForTogether(named, []) : named.Select(n => For(n.pf, n.index)))
        {
            yield return planned;
        }
    }

    /// <summary>
    /// VFs named (a PF and a number) and VFs from the pipeline, all gathered before the first is planned:
    /// "auto" MACs are checked together, so a clash refuses the whole call before anything is sent.
    /// </summary>
    internal IEnumerable<PlannedVfSettings> ForTogether(IReadOnlyList<(SriovPf Pf, int Index)> named, IReadOnlyList<SriovVf> piped)
    {
        var targets = named.Select(n => (Pf: (SriovPf?)n.Pf, n.Index, Given: (SriovVf?)null))
            .Concat(piped.Select(vf => (Pf: session.PfAt(vf.PfPciAddress), vf.Index, Given: (SriovVf?)vf)))
            .ToList();
        var found = targets.Where(t => t.Pf is not null).Select(t => (t.Pf!, t.Index));
        if (request.AutoMacAddress && Refusal(() => _autoMacs = AutoMacAssignment.For(session, Unheld(found))) is { } refused)
        {
            yield return refused;
            yield break;
        }

        foreach (var (pf, index, given) in targets)
        {
            yield return pf is null ? PlannedVfSettings.Refused(VfErrors.PfGone(given!)) : For(pf, index);
        }
    }

    /// <summary>The targets no running guest holds, reading which guests hold VFs (of the targets' PFs) first.</summary>
    private List<(SriovPf Pf, int Index)> Unheld(IEnumerable<(SriovPf Pf, int Index)> targets)
    {
        var all = targets.ToList();
        if (session.GuestOwners() is { Count: > 0 } owners)
        {
            foreach (var pf in all.Select(t => t.Pf).DistinctBy(pf => pf.PciAddress))
            {
                foreach (var vf in session.VfsOf(pf))
                {
                    if (owners.TryGetValue(vf.PciAddress, out var guest))
                    {
                        _guestVfs[(pf.PciAddress, vf.Index)] = guest;
                    }
                }
            }
        }

        return all.Where(t => !_guestVfs.ContainsKey((t.Pf.PciAddress, t.Index))).ToList();
    }

    private static PlannedVfSettings? Refusal(Action check)
    {
        try
        {
            check();
            return null;
        }
        catch (SriovException e)
        {
            return PlannedVfSettings.Refused(e);
        }
    }

    /// <summary>A VF from the pipeline (possibly old): the VF of that number on its PF as it is now.</summary>
    internal PlannedVfSettings ForPiped(SriovVf given) =>
        request.AutoMacAddress ? ForTogether([], [given]).Single()
        : session.PfAt(given.PfPciAddress) is { } pf ? For(pf, given.Index) : PlannedVfSettings.Refused(VfErrors.PfGone(given));

    private static SriovException SameMacTwice(string targets) => VfSettingsRequest.Invalid(
        $"-MacAddress gives one VF its MAC, and this call names {targets}: two VFs with one MAC break forwarding on the PF's switch. Set each VF's MAC in its own call.",
        targets);

    private PlannedVfSettings For(SriovPf pf, int index)
    {
        if (AssignsMac && _macTarget is { } first && first != (pf.PciAddress, index))
        {
            return PlannedVfSettings.Refused(SameMacTwice($"{first.Pf} vf {first.Index} and {pf.Name ?? pf.PciAddress} vf {index}"));
        }

        _macTarget ??= (pf.PciAddress, index);
        try
        {
            return Plan(pf, FindVf(pf, index), RequestFor(pf, index));
        }
        catch (SriovException e)
        {
            return PlannedVfSettings.Refused(e);
        }
    }

    /// <summary>The request as VF <paramref name="index"/> of <paramref name="pf"/> gets it: "auto" made its MAC, or leaves a guest's VF's MAC alone.</summary>
    private VfSettingsRequest RequestFor(SriovPf pf, int index) =>
        !request.AutoMacAddress ? request
        : _guestVfs.ContainsKey((pf.PciAddress, index)) ? request.WithoutMacAddress()
        : _autoMacs is not null && _autoMacs.TryGetValue((pf.PciAddress, index), out var mac) ? request.WithMacAddress(mac)
        : request;

    /// <exception cref="SriovException">The VF's settings cannot be read, or the request does not fit them; nothing is asked.</exception>
    private PlannedVfSettings Plan(SriovPf pf, SriovVf vf, VfSettingsRequest wanted)
    {
        string pfName = pf.Name!;
        int index = vf.Index;
        bool live = session.Host.IsLiveHost;
        if (live && vf.MacAddress is null)
        {
            // Every driver that has VFs reports their MAC; without it the read failed (already said) or the VF is resetting.
            throw new SriovException(
                ErrorCatalog.KernelLinkUnreadable,
                $"The kernel did not report the settings of {pfName} vf {index} (its read failed, or the driver left the VF out while it resets), so nothing was sent to it.",
                vf.ToString(),
                "Run the command again.");
        }

        // A copied host tree has no kernel to read the present settings from: the request is only described.
        var settings = live ? VfSettingsPlan.For(wanted, vf) : VfSettingsPlan.Describe(wanted, index);
        var admin = settings.ChangesMacAddress ? wanted.MacAddress : MacAddress.TryParse(vf.MacAddress);
        var need = rebind ? VfRebind.Assess(vf, admin, session.Files) : VfRebindNeed.NotNeeded;
        var plan = new ChangePlan();
        if (request.AutoMacAddress && _guestVfs.TryGetValue((pf.PciAddress, index), out var guest))
        {
            plan.Report.Warn($"{vf} is {guest}'s: its MAC is the guest's (libvirt sets it); left as it is.");
        }

        SayRebindNeed(plan.Report, vf, need);
        bool rebinding = need == VfRebindNeed.Needed;
        if (settings.Changes.Count == 0 && !rebinding)
        {
            plan.Report.Note(settings.Unchanged.Count > 0
                ? $"{pfName} vf {index} already has {string.Join(" ", settings.Unchanged)}: nothing sent."
                : $"{pfName} vf {index}: nothing to change, nothing sent.");
            return new PlannedVfSettings(session, pf, index, plan, step: null) { Vf = vf, MacAddress = wanted.MacAddress };
        }

        if (settings.Unchanged.Count > 0)
        {
            plan.Report.Note($"{pfName} vf {index} already has {string.Join(" ", settings.Unchanged)}: not sent.");
        }

        var step = new VfSettingsStep(session, pfName, pf.Driver, vf, settings, admin, rebindAsked: rebind, rebinding);
        plan.Add(step.Step);
        return new PlannedVfSettings(session, pf, index, plan, step) { Vf = vf, MacAddress = wanted.MacAddress };
    }

    private SriovVf FindVf(SriovPf pf, int index)
    {
        string pfLabel = pf.Name ?? pf.PciAddress;
        if (index >= pf.NumVfs)
        {
            throw VfErrors.NotFound(pfLabel, pf.NumVfs, index);
        }

        if (pf.Name is null)
        {
            throw PfErrors.InterfaceMissing(pf, "and the kernel changes VF settings through the PF's interface");
        }

        return session.VfsOf(pf).Find(v => v.Index == index) ?? throw VfErrors.Vanished(pfLabel, index);
    }

    private void SayRebindNeed(HostReport report, SriovVf vf, VfRebindNeed need)
    {
        switch (need)
        {
            case VfRebindNeed.NoDriver:
                report.Note($"{vf} has no driver bound: whichever binds next takes the administrative MAC, so it is not rebound.");
                break;
            case VfRebindNeed.NotHere:
                report.Warn($"{vf} is not rebound: its driver ({vf.Driver}) gives it no interface in this namespace (vfio-pci, or an interface moved into a container), and rebinding would take it from whoever uses it.");
                break;
            case VfRebindNeed.InUse:
                report.Warn($"{vf} is not rebound: its interface {vf.Name} is up, enslaved or has devices on top (bond, bridge, macvtap, VLAN), which a rebind would tear down. Take it out of use first.");
                break;
            case VfRebindNeed.NotNeeded when rebind:
                report.Note($"{vf}: its interface already carries the administrative MAC (or none is set); not rebound.");
                break;
        }
    }
}
