using SriovPS.Plans;

namespace SriovPS.Libvirt.Networks;

/// <summary>
/// The changes of SR-IOV pools on one libvirt as plan steps: a pool defined (marked to start with
/// libvirtd, started) and a pool removed, each with the undo that takes it back.
/// </summary>
internal sealed class SriovNetworkPlanner(LibvirtHost libvirt)
{
    /// <summary>
    /// The pool <paramref name="name"/> on <paramref name="pfs"/>, marked autostart and started when
    /// asked: one step on the network, asked once for all it does ("define a hostdev network on eno49,
    /// mark it to start with libvirtd, start it"); none, noted, when the network is already as asked.
    /// A pool that libvirt refuses to start is undefined again by the step itself.
    /// </summary>
    /// <exception cref="SriovException">The pool cannot be defined (see <see cref="SriovNetworkDefinition.Plan"/>).</exception>
    public ChangePlan Define(string name, IReadOnlyList<PfVfAddresses> pfs, bool autostart, bool start)
    {
        var definition = SriovNetworkDefinition.Plan(libvirt, name, pfs, start);
        var plan = new ChangePlan { TakesHostLock = false };
        var actions = new List<string>();
        if (definition.Existing == ExistingNetwork.None)
        {
            actions.Add(pfs.Count == 1
                ? $"define a hostdev network on {pfs[0].Name}"
                : $"define a hostdev network listing the {pfs.Sum(pf => pf.VfAddresses.Count)} VFs of {string.Join(", ", pfs.Select(pf => pf.Name))} by address (a fixed list)");
        }
        else
        {
            plan.Report.Note($"The network '{name}' already has this definition: not defined again.");
        }

        autostart = autostart && !definition.IsAutostart;
        start = start && !definition.IsActive;
        if (autostart)
        {
            actions.Add("mark it to start with libvirtd");
        }

        if (start)
        {
            actions.Add("start it");
        }

        if (actions.Count == 0)
        {
            plan.Report.Note($"The network '{name}' is already as asked: nothing changed.");
            return plan;
        }

        plan.Add(new PlanStep(definition.Target, string.Join(", ", actions), context =>
        {
            foreach (var done in definition.Apply(libvirt.Connection, autostart, start))
            {
                context.Report.Note(done);
            }

            return null;
        })
        {
            Undo = _ => definition.Undo(libvirt.Connection, autostart, start),
        });
        return plan;
    }

    /// <summary>
    /// Stops and undefines <paramref name="network"/> (as Get-LibvirtSriovNetwork reports it): one step,
    /// which warns when it is made while running guests use the network. A persistent network is saved
    /// just before, so the undo defines it again, marked and started as it was.
    /// </summary>
    /// <exception cref="SriovException">Running guests use it and <paramref name="force"/> is not given (LibvirtNetworkInUse).</exception>
    public ChangePlan Remove(LibvirtSriovNetwork network, bool force)
    {
        if (network.RunningConsumers.Count > 0 && !force)
        {
            throw SriovNetworkRemoval.InUse(network);
        }

        string target = network.PfNames.Count > 0 ? $"{network.Name} ({string.Join(", ", network.PfNames)})" : network.Name;
        var action = new List<string>();
        if (network.Active)
        {
            action.Add("stop");
        }

        if (network.Persistent)
        {
            action.Add("undefine");
        }

        SavedNetwork? saved = null;
        var plan = new ChangePlan { TakesHostLock = false };
        plan.Add(new PlanStep(target, $"{string.Join(" and ", action)} the SR-IOV network", context =>
        {
            if (network.RunningConsumers.Count > 0)
            {
                context.Report.Warn($"Removing '{network.Name}' while running guests use it ({string.Join(", ", network.RunningConsumers)}): they keep their VFs until they stop, and cannot start again on it.");
            }

            saved = network.Persistent ? TrySave(libvirt, network.Name, context.Report) : null;
            foreach (var done in SriovNetworkRemoval.Remove(libvirt.Connection, network.Name))
            {
                context.Report.Note(done);
            }

            return null;
        })
        {
            // A transient network cannot be made again as it was (only defined, which makes it persistent).
            Undo = network.Persistent ? _ => SriovNetworkRemoval.Restore(libvirt.Connection, saved ?? throw NotSaved(network.Name)) : null,
        });
        return plan;
    }

    // The saved definition serves only a rollback: a network whose definition cannot be read is still removed.
    private static SavedNetwork? TrySave(LibvirtHost libvirt, string name, IHostReport report)
    {
        try
        {
            return SriovNetworkRemoval.Save(libvirt.Connection, name);
        }
        catch (SriovException e)
        {
            report.Note($"The definition of '{name}' could not be read before it is removed, so it could not be defined again: {e.Message}");
            return null;
        }
    }

    private static SriovException NotSaved(string name) => new(
        ErrorCatalog.LibvirtOperationFailed,
        $"The network '{name}' cannot be defined again: its definition could not be read before it was removed.",
        name);
}
