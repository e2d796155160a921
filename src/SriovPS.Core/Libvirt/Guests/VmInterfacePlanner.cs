using SriovPS.Plans;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// The changes of guests' SR-IOV interfaces on one libvirt as plan steps: interfaces attached and an
/// interface detached, each with the undo that takes it back.
/// </summary>
internal sealed class VmInterfacePlanner(LibvirtHost libvirt)
{
    /// <summary>
    /// The interfaces <paramref name="addition"/> found missing, attached in one step on the guest
    /// (asked once: "add 2 SR-IOV interfaces on pool 'eno49-sr-iov' (…) to the guest's definition"),
    /// with the notes and warnings found while checking; no step when every interface is there. The
    /// step warns for each interface that waits for a restart of the guest (no free PCI slot); its
    /// undo detaches what it attached.
    /// </summary>
    public ChangePlan Add(VmSriovInterfaceAddition addition)
    {
        var plan = new ChangePlan { TakesHostLock = false };
        foreach (string note in addition.Notes)
        {
            plan.Report.Note(note);
        }

        foreach (string warning in addition.Warnings)
        {
            plan.Report.Warn(warning);
        }

        if (addition.Interfaces.Count == 0)
        {
            return plan;
        }

        plan.Add(new PlanStep(addition.Request.VmName, addition.Action, context =>
        {
            foreach (string mac in addition.Apply(libvirt.Connection, context.Report))
            {
                context.Report.Warn(addition.RestartWarning(mac));
            }

            return null;
        })
        {
            Undo = _ => addition.Detach(libvirt.Connection),
        });
        return plan;
    }

    /// <summary>
    /// The removal of one interface (from the definition and/or the running guest) as one step on the
    /// guest; none, noted, when it is nowhere it was asked to go. The step says whether the running
    /// guest gave the interface back (its OS must agree to the unplug); its undo attaches it again.
    /// </summary>
    public ChangePlan Remove(VmSriovInterfaceRemoval removal)
    {
        var plan = new ChangePlan { TakesHostLock = false };
        foreach (string note in removal.Notes)
        {
            plan.Report.Note(note);
        }

        if (!removal.HasWork)
        {
            plan.Report.Note($"Nothing to remove for {removal.MacAddress} of '{removal.VmName}'.");
            return plan;
        }

        plan.Add(new PlanStep(removal.VmName, removal.Action, context =>
        {
            if (removal.Apply(libvirt.Connection))
            {
                context.Report.Note($"Removed the interface {removal.MacAddress} on {removal.Source} from '{removal.VmName}'.");
            }
            else
            {
                context.Report.Warn($"The running guest '{removal.VmName}' was asked to give back the interface {removal.MacAddress} but still has it: " +
                    "a PCI device leaves when the guest's OS agrees to the unplug (a paused guest, or one without an OS, never does). " +
                    "It is gone at the latest when the guest stops.");
            }

            return null;
        })
        {
            Undo = _ => removal.Reattach(libvirt.Connection),
        });
        return plan;
    }
}
