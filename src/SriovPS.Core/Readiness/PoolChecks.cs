namespace SriovPS.Readiness;

/// <summary>
/// Whether libvirt's SR-IOV pools can serve their guests (the seeds' "requires exclusive access to
/// interfaces, but none are available"), and whether running guests have the PCI slots their
/// pending SR-IOV interfaces need for a live attach (the seeds' "No more available PCI slots").
/// </summary>
internal static class PoolChecks
{
    public const string PoolStateId = "Pool.State";
    public const string GuestPciSlotsId = "Guest.PciSlots";

    public static void PoolState(HostCheckList checks, LibvirtSriovNetwork pool)
    {
        string name = pool.Name;
        string noneAvailable = $"\"network '{name}' requires exclusive access to interfaces, but none are available\"";
        string pfs = pool.PfNames.Count > 0 ? string.Join(", ", pool.PfNames) : "its PFs";
        string moreVfs = pool.PfNames.Count > 0
            ? $"Enable more VFs on {pfs} (Enable-SriovVf -PfName {pool.PfNames[0]} -Count N -Persist, up to its TotalVfs), or remove interfaces of guests that need not run at once (Remove-VmSriovInterface)."
            : "Add VFs to the pool, or remove interfaces of guests that need not run at once (Remove-VmSriovInterface).";
        switch (pool.State)
        {
            case SriovPoolState.Stale:
                checks.Fail(PoolStateId, name,
                    $"{pool.StateReason} A guest that starts on it may be handed a VF that no longer exists, or miss the new ones.",
                    pool.FixedVfList
                        ? $"Define it again over the PFs it should use: Remove-LibvirtSriovNetwork {name}, then Get-SriovPf {(pool.PfNames.Count > 0 ? pfs : "<PF names>")} | New-LibvirtSriovNetwork -Name {name} -Start"
                        : $"Restart it once no guest uses it: virsh net-destroy {name}; virsh net-start {name} (Enable-SriovVf restarts idle pools itself).");
                return;
            case SriovPoolState.Exhausted or SriovPoolState.Overcommitted:
                // A guest defined on the pool and not running cannot start while no VF is free.
                var waiting = pool.Consumers.Except(pool.RunningConsumers).ToList();
                string reason = pool.State == SriovPoolState.Overcommitted
                    ? $"{pool.StateReason} The guest that starts when none is free fails with {noneAvailable}."
                    : $"{pool.StateReason} The next guest to start on it fails with {noneAvailable}.";
                if (pool.Active && pool.Free == 0 && waiting.Count > 0)
                {
                    string none = pool.State == SriovPoolState.Overcommitted
                        ? string.Create(CultureInfo.InvariantCulture, $" No VF is free ({pool.InUse} of {pool.PoolSize} in use), and")
                        : "";
                    checks.Fail(PoolStateId, name,
                        $"{pool.StateReason}{none} {HostText.Join(waiting)} {(waiting.Count == 1 ? "is" : "are")} defined on it and not running: " +
                        $"starting {(waiting.Count == 1 ? "it" : "one")} fails with {noneAvailable}.",
                        moreVfs);
                }
                else
                {
                    checks.Warn(PoolStateId, name, reason, moreVfs);
                }

                return;
        }

        if (pool.State == SriovPoolState.NotStarted || !pool.Active)
        {
            checks.Warn(PoolStateId, name,
                $"'{name}' is defined but not started: a guest on it fails to start (\"network '{name}' is not active\").",
                $"Start it: virsh net-start {name}" + (pool.Autostart ? "" : $"; and at boot: virsh net-autostart {name}"));
            return;
        }

        checks.Pass(PoolStateId, name, string.Create(CultureInfo.InvariantCulture,
            $"'{name}' on {pfs}: {pool.PoolSize} VFs, {pool.InUse} in use, {pool.Demand} interfaces of defined guests on it."));
    }

    /// <param name="interfaces">The guest's SR-IOV interfaces.</param>
    /// <param name="freeSlots">The running guest's free hot-plug slots.</param>
    public static void GuestPciSlots(HostCheckList checks, string vmName, IReadOnlyList<VmSriovInterface> interfaces, int freeSlots)
    {
        int pending = interfaces.Count(i => i.RestartRequired);
        string slots = string.Create(CultureInfo.InvariantCulture, $"{freeSlots} free hot-plug PCI slot{(freeSlots == 1 ? "" : "s")}");
        if (pending > freeSlots)
        {
            checks.Warn(GuestPciSlotsId, vmName, string.Create(CultureInfo.InvariantCulture,
                $"{vmName} runs with {pending} SR-IOV interface{(pending == 1 ? "" : "s")} in its definition that {(pending == 1 ? "is" : "are")} not live, " +
                $"and has {slots}: attaching {(pending == 1 ? "it" : "them")} live fails with \"No more available PCI slots\"."),
                $"Shut {vmName} down and start it again: its definition has the PCIe root ports the interfaces need (libvirt adds them as it writes the definition). Add-VmSriovInterface -Config alone needs no free slot.");
            return;
        }

        string pendingText = pending > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; {pending} interface{(pending == 1 ? "" : "s")} of its definition can be attached live")
            : freeSlots == 0 ? "; a further live attach needs a restart (Add-VmSriovInterface -Config adds it for the next start)" : "";
        checks.Pass(GuestPciSlotsId, vmName, $"{vmName} has {slots}{pendingText}.");
    }
}
