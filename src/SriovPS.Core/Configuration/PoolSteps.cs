using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Plans;

namespace SriovPS.Configuration;

/// <summary>
/// The steps of the document's pools. A network that does not exist is defined by New-LibvirtSriovNetwork's
/// planner (when its PFs' VFs change in the same plan, once they exist); one that exists and hands out
/// the VFs of the PFs asked is left as it is defined, and only marked, unmarked, started or stopped as
/// the document says; one that hands out other VFs is refused by that planner, before anything changes.
/// </summary>
internal sealed class PoolSteps(HostSession session, List<SriovException> refusals)
{
    /// <summary>The steps of <paramref name="pool"/>; returns the last one, which the AppArmor step follows, or null.</summary>
    public PlanStep? Add(ChangePlan plan, DesiredPool pool, Dictionary<string, PlanStep> countSteps)
    {
        var entry = pool.Entry;
        if (!session.Host.IsLiveHost && session.Host.Snapshot is null)
        {
            plan.Report.Warn($"The pool '{entry.Name}' ({entry.Path}) is not planned: libvirt is not read for a copied host tree.");
            return null;
        }

        if (session.HostLibvirt() is not { } libvirt)
        {
            refusals.Add(new SriovException(
                ErrorCatalog.LibvirtConnectionFailed,
                $"{entry.Path}: the pool '{entry.Name}' cannot be planned: this machine's libvirt ({LibvirtUri.Default()}) could not be reached, so nothing was changed.",
                entry.Path,
                "Start libvirtd (or set LIBVIRT_DEFAULT_URI), then run the command again."));
            return null;
        }

        HostdevNetworkState? network;
        try
        {
            network = libvirt.ReadInventory().Network(entry.Name);
        }
        catch (SriovException e)
        {
            refusals.Add(e);
            return null;
        }

        var after = pool.Managed.Select(p => countSteps.GetValueOrDefault(p.Pf.PciAddress)).OfType<PlanStep>().ToList();
        if (network is not null && HandsOut(session, network, pool))
        {
            // A pool on a PF is refreshed by the count step itself; its definition stays the admin's.
            return StateStep(plan, pool, libvirt, network);
        }

        var pfs = pool.Pfs.ToList();
        bool autostart = entry.Autostart == true;
        bool start = entry.Started == true;
        if (after.Count == 0)
        {
            int before = plan.Steps.Count;
            try
            {
                plan.Add(new SriovNetworkPlanner(libvirt).Define(entry.Name, session.PfVfAddresses(pfs), autostart, start));
            }
            catch (SriovException e)
            {
                refusals.Add(e);
            }

            return plan.Steps.Count > before ? plan.Steps[^1] : null;
        }

        Action<StepContext>? undo = null;
        return plan.Add(new PlanStep(entry.Name, $"define the hostdev network '{entry.Name}' on {string.Join(", ", pfs.Select(p => p.Name))} once their VFs exist{(autostart ? ", mark it to start with libvirtd" : string.Empty)}{(start ? ", start it" : string.Empty)}", context =>
        {
            var now = pfs.Select(p => session.PfAt(p.PciAddress) ?? throw PfErrors.Gone(p)).ToList();
            undo = InlinePlan.Make(new SriovNetworkPlanner(libvirt).Define(entry.Name, session.PfVfAddresses(now), autostart, start), context);
            return null;
        })
        {
            After = after,
            Undo = c => undo?.Invoke(c),
        });
    }

    /// <summary>
    /// Whether the network hands out the VFs of the pool's PFs: it names them (one PF), or lists exactly their
    /// VFs. Test-SriovConfiguration's drift and the step Set plans both follow it.
    /// </summary>
    internal static bool HandsOut(HostSession session, HostdevNetworkState network, DesiredPool pool)
    {
        var names = pool.Pfs.Select(p => p.Name).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (network.Definition.PfNames.Count > 0)
        {
            return network.Definition.PfNames.Order(StringComparer.Ordinal).SequenceEqual(names);
        }

        var vfs = session.PfVfAddresses(pool.Pfs).SelectMany(p => p.VfAddresses).Order(StringComparer.Ordinal);
        return vfs.SequenceEqual(network.Definition.Addresses.Order(StringComparer.Ordinal));
    }

    /// <summary>The network marked or unmarked to start with libvirtd, started or stopped, as the document says; null when it already is.</summary>
    private PlanStep? StateStep(ChangePlan plan, DesiredPool pool, LibvirtHost libvirt, HostdevNetworkState network)
    {
        var entry = pool.Entry;
        bool? autostart = entry.Autostart is bool mark && mark != network.Autostart ? mark : null;
        bool? active = entry.Started is bool started && started != network.Active ? started : null;
        if (autostart is null && active is null)
        {
            plan.Report.Note($"The network '{entry.Name}' already hands out the VFs of {string.Join(", ", pool.Pfs)} as asked: nothing changed.");
            return null;
        }

        if (active == false && network.Connections > 0)
        {
            refusals.Add(JsonFields.Problem(entry.At("started"), $"the network '{entry.Name}' is in use by {network.Connections} guest interface(s): stopping it would cut them off. Stop those guests first."));
            return null;
        }

        var words = new List<string>();
        if (autostart is bool on)
        {
            words.Add(on ? "mark it to start with libvirtd" : "stop it starting with libvirtd");
        }

        if (active is bool up)
        {
            words.Add(up ? "start it" : "stop it");
        }

        return plan.Add(new PlanStep(entry.Name, string.Join(", ", words), _ =>
        {
            SetNetwork(libvirt, entry.Name, autostart, active);
            return null;
        })
        {
            Undo = _ => SetNetwork(libvirt, entry.Name, autostart is bool a ? !a : null, active is bool b ? !b : null),
        });
    }

    private static void SetNetwork(LibvirtHost libvirt, string name, bool? autostart, bool? active)
    {
        try
        {
            using var network = SriovNetworkDefinition.Lookup(libvirt.Connection, name) ?? throw LibvirtErrors.NetworkNotFound(name);
            if (autostart is bool mark)
            {
                network.SetAutostart(mark);
            }

            if (active == false)
            {
                network.Destroy();
            }
            else if (active == true)
            {
                network.Create();
            }
        }
        catch (Native.Libvirt.LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, name, $"change network '{name}'", null);
        }
    }
}
