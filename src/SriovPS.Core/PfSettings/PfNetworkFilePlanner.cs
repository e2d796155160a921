using SriovPS.Persistence;
using SriovPS.Plans;

namespace SriovPS.PfSettings;

/// <summary>
/// The -Persist part of a PF's settings: the PF's file in the configuration of the host's network
/// manager (found once per command), refused beside another configuration of the interface unless forced.
/// </summary>
internal sealed class PfNetworkFilePlanner(HostSession session, bool force)
{
    private NetworkManagerDetection? _manager;

    private NetworkManagerDetection Manager => _manager ??= NetworkManagerDetection.Detect(session.Files);

    /// <summary>
    /// The interface's other configurations (files, and on the live host its addresses now); <c>null</c>
    /// when there are none. Found before anything is asked or sent, so a refusal leaves the PF as it was.
    /// </summary>
    /// <exception cref="SriovException">NetworkConfigConflict: there are some and the request is not forced, or its addresses could not be read.</exception>
    /// <exception cref="SriovException">InvalidInterfaceName: the name cannot be written into a configuration file safely.</exception>
    public PfNetworkConflicts? OtherConfigurations(SriovPf pf, IHostReport report)
    {
        string name = pf.Name!;
        PfNetworkConflicts others;
        try
        {
            others = PfNetworkConflicts.FindOnHost(session.Files, session.KernelLinks, name, pf.MacAddress)
                ?? throw new SriovException(
                    ErrorCatalog.NetworkConfigConflict,
                    $"The addresses of {name} could not be read, so whether -Persist would take one away at the next boot is not known. Nothing was changed on {name}.",
                    name,
                    "Run PowerShell as root, or leave out -Persist.");
        }
        catch (ArgumentException e)
        {
            throw UnsafeName(name, e);
        }

        if (!others.Any)
        {
            return null;
        }

        if (!force)
        {
            string? file = Manager.Manager == HostNetworkManager.None ? null : PfNetworkWriter.For(Manager.Manager).HostPathFor(name);
            throw others.Refusal(file);
        }

        report.Note($"-Force: {name} is configured elsewhere too ({string.Join("; ", others.Found.Select(f => f.Description))}); the file written keeps what that sets.");
        return others;
    }

    /// <summary>
    /// Adds the step that writes the PF's file with <paramref name="up"/>, <paramref name="mtu"/> and
    /// <paramref name="hwTcOffload"/>, made only after one of <paramref name="kernelSteps"/> when there are any
    /// (the file records the settings as asked: not when those changes were declined or failed); nothing when
    /// no manager would read it or it already says so (both said in the plan's report).
    /// </summary>
    /// <exception cref="SriovException">The file at the PF's path is not the module's, cannot be read, or cannot keep <paramref name="others"/>.</exception>
    public PlanStep? AddFileStep(
        ChangePlan plan, SriovPf pf, bool? up, int? mtu, PfNetworkConflicts? others, IReadOnlyList<PlanStep> kernelSteps, bool? hwTcOffload = null)
    {
        var manager = Manager;
        if (manager.Manager == HostNetworkManager.None)
        {
            plan.Report.Warn($"-Persist wrote nothing: this host has {manager.Description}, so {pf} keeps {(hwTcOffload is null ? "its link and MTU" : "these settings")} only until reboot.");
            return null;
        }

        plan.Report.Note($"The host's network is configured by {manager.Description}.");
        PfNetworkPersistence change;
        try
        {
            change = PfNetworkPersistence.Plan(session.Files, manager.Manager, pf.Name!, up, mtu, others, hwTcOffload);
        }
        catch (ArgumentException e)
        {
            throw UnsafeName(pf.Name!, e);
        }

        if (change.Warning is not null)
        {
            plan.Report.Warn(change.Warning);
        }

        if (!change.Changes)
        {
            plan.Report.Note(change.Description + ": not written.");
            return null;
        }

        string path = change.File.HostPath;
        string written = session.Host.IsLiveHost
            ? $"Wrote {path} (a previous version is kept as {change.File.BackupHostPath}); {NetworkManagerDetection.NameOf(change.Manager)} applies it at the next boot or restart."
            : $"Wrote {path} in the host tree (a previous version is kept as {change.File.BackupHostPath}).";
        return plan.Add(new PlanStep(path, change.Description, context =>
        {
            ((PreparedConfigFile)context.Prepared!).Commit();
            context.Report.Note(written);
            return new SriovHostChange(path, true, change.Description, [], [], change.PreviousText is null ? null : change.File.BackupHostPath, false);
        })
        {
            After = kernelSteps,

            // Written beside the file before the link changes: a file that cannot be written leaves the PF as it was.
            Prepare = change.Prepare,
            Undo = _ => change.Restore(),
        });
    }

    /// <summary>
    /// Refuses -Persist of hw-tc-offload, before anything is changed, where the host's network manager has
    /// no setting for it: only NetworkManager's keyfiles do (<c>[ethtool] feature-hw-tc-offload</c>). A host
    /// with no manager is left to <see cref="AddFileStep"/>, which writes nothing and says so.
    /// </summary>
    /// <exception cref="SriovException">NetworkSettingNotPersistable: systemd-networkd, netplan or ifupdown configures the host.</exception>
    public void RequireHwTcOffloadHolder(SriovPf pf)
    {
        var manager = Manager;
        if (manager.Manager is HostNetworkManager.None || PfNetworkWriter.For(manager.Manager).HoldsHwTcOffload)
        {
            return;
        }

        throw new SriovException(
            ErrorCatalog.NetworkSettingNotPersistable,
            $"-Persist cannot keep -HwTcOffload for {pf.Name}: this host has {manager.Description}, which has no setting for hw-tc-offload. Nothing was changed on {pf.Name}.",
            pf.Name,
            $"Leave out -Persist and set it at every boot instead, e.g. from a systemd unit (Type=oneshot, After=network-pre.target) that runs: pwsh -NoProfile -Command \"Set-SriovPf -Name {pf.Name} -HwTcOffload $true\"; or keep -Persist for -LinkState and -Mtu only.");
    }

    private static SriovException UnsafeName(string name, ArgumentException e) => new(
        ErrorCatalog.InvalidInterfaceName,
        $"{name} cannot be named in a network configuration file safely ({e.Message}); nothing was changed.",
        name,
        "Rename the interface to letters, digits, '.', '-' and '_' (a .link file or udev rule), or leave out -Persist.");
}
