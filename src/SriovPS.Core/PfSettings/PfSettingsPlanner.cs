using SriovPS.Kernel;
using SriovPS.Plans;
using SriovPS.VfCount;

namespace SriovPS.PfSettings;

/// <summary>
/// The steps that set a PF as <see cref="PfSettingsRequest"/> asks (<c>Set-SriovPf</c>): its link
/// (<c>ip link set eno49 mtu 9000 up</c>), its eswitch mode (devlink), hw-tc-offload (ethtool netlink,
/// <see cref="PfHwTcOffloadSteps"/>), VF driver autoprobe (sysfs), and with
/// -Persist the file of the host's network manager, which follows the link step. On the live host only
/// what differs from the PF now is planned; a copied tree has no kernel to compare with or to change, so
/// everything asked of the kernel is shown, and refused once per PF when confirmed, after the tree's file
/// is written. Each kernel step can be taken back to the value it found.
/// </summary>
internal sealed class PfSettingsPlanner
{
    private const string KernelOnly = "PF settings can only be changed in the running kernel.";

    private readonly HostSession _session;
    private readonly PfSettingsRequest _request;
    private readonly PfNetworkFilePlanner _files;
    private readonly PfHwTcOffloadSteps _hwTcOffload;

    /// <exception cref="SriovException">InvalidPfSetting: the request is refused before any PF is read.</exception>
    public PfSettingsPlanner(HostSession session, PfSettingsRequest request)
    {
        request.Validate();
        _session = session;
        _request = request;
        _files = new PfNetworkFilePlanner(session, request.Force);
        _hwTcOffload = new PfHwTcOffloadSteps(session, KernelOnly);
    }

    private bool Live => _session.Host.IsLiveHost;

    private KernelLinks Links => _session.KernelLinks ?? throw new InvalidOperationException("Only the running kernel has links to change.");

    private EswitchModes Eswitch => _session.EswitchModes ?? throw new InvalidOperationException("Only the running kernel has eswitch modes to change.");

    /// <summary>
    /// The plan for <paramref name="pf"/>; <c>null</c> when its link could not be read (reported), so
    /// nothing is changed on it.
    /// </summary>
    /// <exception cref="SriovException">
    /// Refused before anything is asked, the PF left as it was: PfInterfaceMissing (the link is asked of a PF
    /// without an interface here), NetworkConfigConflict, NetworkConfigNotOwned, InvalidInterfaceName (-Persist).
    /// </exception>
    public ChangePlan? Plan(SriovPf pf)
    {
        if (_request.SetsLink && pf.Name is null)
        {
            throw PfErrors.InterfaceMissing(pf, "so its link and MTU cannot be set");
        }

        if (_request.HwTcOffload is not null)
        {
            if (pf.Name is null)
            {
                throw PfErrors.InterfaceMissing(pf, "so its hw-tc-offload cannot be set");
            }

            if (_request.Persist)
            {
                _files.RequireHwTcOffloadHolder(pf);
            }
        }

        PlanStep? fileStep = null;
        // One PF's settings: the first refused write ends it, the file with it, as the kernel left them.
        var plan = new ChangePlan { LiveHostRefusal = result => Refusal(pf, fileStep, result), StopsAtFirstFailure = true };

        // Before anything is asked or sent: a refused file leaves the PF as it was.
        var others = _request.Persist ? _files.OtherConfigurations(pf, plan.Report) : null;
        PlanStep? linkStep = null;
        if (_request.SetsLink && !TryAddLinkStep(plan, pf, out linkStep))
        {
            // No plan to run: what was found so far is still said.
            plan.Report.TellTo(_session.Report);
            return null;
        }

        AddEswitchStep(plan, pf);
        var offloadStep = _request.HwTcOffload is bool on ? _hwTcOffload.Add(plan, pf, on) : null;
        AddAutoprobeStep(plan, pf);
        if (_request.Persist)
        {
            PlanStep[] kernelSteps = [.. new[] { linkStep, offloadStep }.OfType<PlanStep>()];
            fileStep = _files.AddFileStep(plan, pf, _request.LinkUp, _request.Mtu, others, kernelSteps, _request.HwTcOffload);
        }

        return plan;
    }

    private static string Target(SriovPf pf) => $"{pf.PciAddress} ({pf.Name ?? "no interface"})";

    /// <returns>False when the live link could not be read (reported by <see cref="KernelLinks"/>).</returns>
    private bool TryAddLinkStep(ChangePlan plan, SriovPf pf, out PlanStep? step)
    {
        step = null;
        string name = pf.Name!;
        string words;
        PfLinkPlan? link = null;
        if (Live)
        {
            link = PfLinkPlan.For(Links, name, _request.LinkUp, _request.Mtu);
            if (link is null)
            {
                return false;
            }

            link.Unchanged.ForEach(line => plan.Report.Note(line + ": nothing sent."));
            if (link.Changes.Count == 0)
            {
                return true;
            }

            words = string.Join(' ', link.Changes.ConvertAll(c => c.IpArguments));
        }
        else
        {
            words = AskedLinkWords();
        }

        // On a copied tree there is no link plan: the runner refuses the step there before it is made.
        step = plan.Add(new PlanStep(Target(pf), $"ip link set {name} {words}", _ =>
        {
            new PfLinkWriter(Links).Apply(name, pf.Driver, link ?? throw new InvalidOperationException("No link plan on a copied tree."));
            return null;
        })
        {
            LiveHostOnly = KernelOnly,
            Undo = link is null ? null : _ =>
            {
                if (link.Reversal(Links, name) is { } back)
                {
                    new PfLinkWriter(Links).Apply(name, pf.Driver, back);
                }
            },
        });
        return true;
    }

    /// <summary>On a copied tree nothing can be compared: everything asked is shown, the MTU first as it is sent.</summary>
    private string AskedLinkWords()
    {
        var words = new List<string>();
        if (_request.Mtu is int mtu)
        {
            words.Add("mtu " + mtu.ToString(CultureInfo.InvariantCulture));
        }

        if (_request.LinkUp is bool up)
        {
            words.Add(up ? "up" : "down");
        }

        return string.Join(' ', words);
    }

    private void AddEswitchStep(ChangePlan plan, SriovPf pf)
    {
        if (_request.EswitchMode is not { } mode)
        {
            return;
        }

        // Discovery read the mode on the live host; null there means devlink cannot say, and Set explains why.
        if (Live && pf.EswitchMode == mode)
        {
            plan.Report.Note($"{pf} is already in {mode} eswitch mode: nothing sent.");
            return;
        }

        string target = Target(pf);
        var before = pf.EswitchMode;
        plan.Add(new PlanStep(target, $"devlink dev eswitch set {EswitchModes.PciBus}/{pf.PciAddress} mode {Words(mode)}", _ =>
        {
            Eswitch.Set(EswitchModes.PciBus, pf.PciAddress, mode, target, pf.Driver);
            return null;
        })
        {
            LiveHostOnly = KernelOnly,
            Undo = before is { } previous ? _ => Eswitch.Set(EswitchModes.PciBus, pf.PciAddress, previous, target, pf.Driver) : null,
        });
    }

    private static string Words(EswitchMode mode) => mode == EswitchMode.Switchdev ? "switchdev" : "legacy";

    private void AddAutoprobeStep(ChangePlan plan, SriovPf pf)
    {
        if (_request.DriversAutoprobe is not bool autoprobe)
        {
            return;
        }

        if (pf.DriversAutoprobe == autoprobe)
        {
            plan.Report.Note($"{pf} already has sriov_drivers_autoprobe {Bit(autoprobe)}: nothing written.");
            return;
        }

        var before = pf.DriversAutoprobe;
        plan.Add(new PlanStep(Target(pf), $"set sriov_drivers_autoprobe to {Bit(autoprobe)}", _ =>
        {
            Autoprobe().WriteAutoprobe(pf, autoprobe, "nothing else was changed");
            return null;
        })
        {
            // The tree has the attribute as a file, but writing it there would stand for no kernel's answer.
            LiveHostOnly = KernelOnly,
            Undo = before is bool previous ? _ => Autoprobe().WriteAutoprobe(pf, previous, $"it stays {Bit(autoprobe)}") : null,
        });
    }

    private static int Bit(bool value) => value ? 1 : 0;

    private VfCountChanger Autoprobe() => new(_session.Files, _session.Discovery, null);

    /// <summary>A copied tree's one refusal for the PF, naming the file written into the tree, if it was.</summary>
    private SriovException Refusal(SriovPf pf, PlanStep? fileStep, PlanResult result) => _session.LiveHostRequired(
        pf.ToString(),
        KernelOnly + (fileStep is not null && result.WasMade(fileStep) ? $" Its network configuration was written in the tree: {fileStep.Target}." : string.Empty),
        whatIfGiven: false);
}
