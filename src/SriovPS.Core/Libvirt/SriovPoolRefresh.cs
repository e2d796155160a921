using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>What became of one pool after its PF's VF count changed.</summary>
internal sealed record PoolRefreshOutcome(string Network, bool Restarted, string Message);

/// <summary>
/// Brings libvirt's pools in line after a PF's VF count changed. A running pool's VF list is fixed
/// when it starts, so libvirt would go on handing out VFs that no longer exist (or never the new
/// ones): a pool nobody uses is restarted, and one that running guests use is reported Stale. A pool
/// that lists VFs by address never follows the PF, and is reported Stale too.
/// </summary>
internal static class SriovPoolRefresh
{
    /// <param name="before">The PF's VF addresses before the change.</param>
    /// <param name="now">The PF and its VF addresses after it.</param>
    /// <exception cref="SriovException">libvirt failed while the pools were read.</exception>
    internal static List<PoolRefreshOutcome> AfterCountChange(LibvirtHost libvirt, IReadOnlyList<string> before, PfVfAddresses now) =>
        AfterCountChange(libvirt.Connection, before, now);

    /// <inheritdoc cref="AfterCountChange(LibvirtHost, IReadOnlyList{string}, PfVfAddresses)"/>
    internal static List<PoolRefreshOutcome> AfterCountChange(LibvirtConnection connection, IReadOnlyList<string> before, PfVfAddresses now)
    {
        LibvirtInventory inventory;
        try
        {
            inventory = LibvirtInventory.Read(connection);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, now.Name, $"read the pools on {now.Name}");
        }

        var outcomes = new List<PoolRefreshOutcome>();
        foreach (var network in inventory.Networks)
        {
            var definition = network.Definition;
            if (definition.PfNames.Count == 1 && definition.PfNames[0] == now.Name)
            {
                if (network.Active && Refresh(connection, network, inventory, now) is { } outcome)
                {
                    outcomes.Add(outcome);
                }
            }
            else if (definition.PfNames.Count == 0 && definition.Addresses.Any(a => before.Contains(a) || now.VfAddresses.Contains(a)))
            {
                outcomes.Add(new PoolRefreshOutcome(
                    network.Name,
                    false,
                    $"The network '{network.Name}' lists VFs of {now.Name} by address, and {now.Name} now has {now.VfAddresses.Count} VFs: it is Stale. " +
                    $"Remove it and define it again (Remove-LibvirtSriovNetwork {network.Name}; New-LibvirtSriovNetwork -Name {network.Name} -PfName …)."));
            }
        }

        return outcomes;
    }

    private static PoolRefreshOutcome? Refresh(LibvirtConnection connection, HostdevNetworkState network, LibvirtInventory inventory, PfVfAddresses now)
    {
        var running = network.Running?.Addresses ?? [];
        if (SriovNetworkReport.SameSet(running, now.VfAddresses))
        {
            return null;
        }

        var report = SriovNetworkReport.Describe(connection.Uri, network, inventory.Guests, [now]);
        if (report.RunningConsumers.Count > 0 || network.Connections > 0)
        {
            return new PoolRefreshOutcome(
                network.Name,
                false,
                $"The network '{network.Name}' still lists the {running.Count} VFs {now.Name} had when it started, but running guests use it " +
                $"({string.Join(", ", report.RunningConsumers)}), so it was not restarted: it is Stale until it is restarted with them stopped.");
        }

        try
        {
            using var live = connection.LookupNetwork(network.Name);
            if (live is null)
            {
                return null;
            }

            live.Destroy();
            if (now.VfAddresses.Count == 0)
            {
                return new PoolRefreshOutcome(
                    network.Name,
                    false,
                    $"Stopped network '{network.Name}': {now.Name} has no VFs now. Start it again once it has (New-LibvirtSriovNetwork -Name {network.Name} -PfName {now.Name} -Start).");
            }

            live.Create();
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, network.Name, $"restart network '{network.Name}' after the VF count of {now.Name} changed (it may be stopped now)");
        }

        return new PoolRefreshOutcome(
            network.Name, true, $"Restarted network '{network.Name}', which no guest used, so its pool is {now.Name}'s {now.VfAddresses.Count} VFs now.");
    }
}
