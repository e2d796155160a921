using SriovPS.Persistence;
using SriovPS.Plans;

namespace SriovPS.VfSettings;

/// <summary>
/// <c>Set-SriovVf -Persist</c>: VF settings live in the running kernel and are gone once the VFs are
/// re-created, so each VF that got its MAC (or had it already) gets a line in the module's udev rules
/// file that sets it again when the PF's interface appears and its count line has made the VFs
/// (<see cref="UdevVfMacRules"/>: on the PF's event, not the VF's, which would race the PF's rename);
/// a cleared MAC loses its line. The file is written once, after the VFs, with the VFs that reached
/// what was asked.
/// </summary>
internal sealed class VfMacPersistence
{
    private readonly HostSession _session;
    private readonly string _ip;
    private readonly Dictionary<UdevVfMacRules.Vf, UdevVfMacRules.Entry?> _wanted = [];
    private readonly List<string> _labels = [];
    private readonly Dictionary<UdevVfMacRules.Vf, string> _names = [];

    /// <exception cref="SriovException">-Persist was given with settings other than the MAC, or without one, or the running host has no <c>ip</c>; nothing has been sent.</exception>
    internal VfMacPersistence(HostSession session, VfSettingsRequest request)
    {
        if (request.Vlan is not null || request.Qos is not null || request.VlanProtocol is not null || request.SpoofCheck is not null
            || request.Trust is not null || request.LinkState is not null || request.MinTxRate is not null || request.MaxTxRate is not null)
        {
            throw VfSettingsRequest.Invalid(
                "-Persist keeps a VF's MAC only; the other settings are not kept when the VFs are re-created. Set them in a call without -Persist.",
                "Persist");
        }

        if (request.MacAddress is null && !request.AutoMacAddress)
        {
            throw VfSettingsRequest.Invalid("-Persist keeps a VF's MAC: give -MacAddress (a MAC or Auto), or -ClearMacAddress to remove the kept one.", "Persist");
        }

        _session = session;
        _ip = IpProgram(session, request);
    }

    /// <summary>
    /// The <c>ip</c> the lines run. Only the running host's own is looked for: a snapshot or a copied tree
    /// does not keep the host's programs, and its plan is only shown, so it names the usual place. Removing
    /// a line (-ClearMacAddress) runs nothing.
    /// </summary>
    /// <exception cref="SriovException">The running host has no <c>ip</c> and a line is to be added; nothing has been sent.</exception>
    private static string IpProgram(HostSession session, VfSettingsRequest request)
    {
        bool clears = request.MacAddress is { } mac && Array.TrueForAll(mac, static b => b == 0);
        if (clears || !session.Host.IsLiveHost)
        {
            return HostProgram.Find(session.Files, UdevVfMacRules.IpPrograms) ?? UdevVfMacRules.IpPrograms[0];
        }

        return HostProgram.Find(session.Files, UdevVfMacRules.IpPrograms) ?? throw new SriovException(
            ErrorCatalog.IpProgramNotFound,
            $"-Persist writes a udev rule that runs ip to set each VF's MAC, and this host has none ({string.Join(", ", UdevVfMacRules.IpPrograms)}). Nothing was sent.",
            "ip",
            "Install iproute2 (apt-get install iproute2, dnf install iproute), then run the command again.");
    }

    /// <summary>Takes the VF's MAC into the rules file when the VF reached it in <paramref name="result"/>.</summary>
    internal void Add(PlannedVfSettings planned, PlanResult result)
    {
        if (!planned.Reached(result) || planned.Vf is not { PfName: not null } vf || planned.MacAddress is not { } mac)
        {
            return;
        }

        bool cleared = Array.TrueForAll(mac, static b => b == 0);
        var key = new UdevVfMacRules.Vf(vf.PfPciAddress, vf.Index, vf.PciAddress);
        _wanted[key] = cleared ? null : new UdevVfMacRules.Entry(_ip, vf.PfPciAddress, vf.Index, Kernel.KernelLinkMapping.FormatAddress(mac)!);
        _names[key] = vf.ToString();
        _labels.Add(vf.ToString());
    }

    /// <summary>The plan that writes the file; <c>null</c> when no VF is to be kept, or the file already says so.</summary>
    internal ChangePlan? Plan()
    {
        if (_wanted.Count == 0)
        {
            return null;
        }

        var rules = new UdevRulesFile(_session);
        var plan = new ChangePlan();
        string? text;
        try
        {
            text = rules.ReadText();
        }
        catch (SriovException e)
        {
            // Only the boot rules fail: the MACs are set in the kernel.
            plan.Report.Fail(e);
            return plan;
        }

        var wanted = _wanted.ToDictionary(pair => pair.Key, pair => pair.Value);
        if (UdevVfMacRules.With(text, wanted) == text)
        {
            plan.Report.Note($"{UdevRulesFile.HostPath} already has the MAC lines asked for {string.Join(", ", _labels)}: not written.");
            return plan;
        }

        rules.WarnWithoutUdev("the VFs' MACs are written there but not set when the VFs are re-created. Install udev (systemd-udevd).");
        var lines = wanted.Select(pair => pair.Value is { } entry ? "+ " + UdevVfMacRules.Line(entry) : $"- the MAC line of {_names[pair.Key]}");
        plan.Add(rules.Step(
            $"keep the MACs of {string.Join(", ", _labels)} when the VFs are re-created:\n{string.Join("\n", lines)}",
            (current, _) => UdevVfMacRules.With(current, wanted),
            prepareFirst: true,
            after: [],
            liveHostOnly: "its VFs' boot rules are written on the running host only.",
            liveHostLabel: _labels.Count == 1 ? _labels[0] : $"{_labels.Count} VFs"));
        return plan;
    }
}
