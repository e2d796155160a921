namespace SriovPS.Libvirt.Networks;

/// <summary>
/// Judges each hostdev pool against its PFs as they are now and the guests defined on it: how many
/// VFs it has, hands out and is asked for, and whether the next guest to start will find one.
/// </summary>
internal static class SriovNetworkReport
{
    /// <param name="pfs">This host's PFs and their VFs; null when libvirt runs elsewhere (then the running pool's own list counts).</param>
    internal static LibvirtSriovNetwork Describe(
        string uri, HostdevNetworkState network, IReadOnlyList<GuestState> guests, IReadOnlyList<PfVfAddresses>? pfs)
    {
        var definition = network.Definition;
        var running = network.Running;
        bool fixedList = definition.PfNames.Count == 0;
        IReadOnlyList<string> pfNames;
        IReadOnlyList<string> vfAddresses;
        int? poolSize;
        string? staleReason = null;
        if (!fixedList)
        {
            pfNames = definition.PfNames;
            var current = pfs is null ? null : Current(pfs, pfNames[0]);
            vfAddresses = running is { Addresses.Count: > 0 } ? running.Addresses : current ?? [];
            poolSize = current?.Count ?? (network.Active ? running?.Addresses.Count : null);
            if (network.Active && current is not null && !SameSet(running?.Addresses ?? [], current))
            {
                // What is seen, not why: the count may have changed after the start, or the VFs been made again.
                int listed = running?.Addresses.Count ?? 0;
                int gone = (running?.Addresses ?? []).Count(a => !current.Contains(a));
                staleReason = listed == current.Count
                    ? $"the running pool lists {listed} VFs and {pfNames[0]} has {current.Count} now, but {gone} of the listed ones are not among them"
                    : $"the running pool lists {listed} VFs but {pfNames[0]} has {current.Count} now";
            }
        }
        else
        {
            vfAddresses = definition.Addresses;
            var pfOf = pfs?.SelectMany(pf => pf.VfAddresses.Select(vf => (vf, pf))).ToDictionary(p => p.vf, p => p.pf, StringComparer.Ordinal);
            var owning = pfOf is null ? [] : vfAddresses.Select(a => pfOf.GetValueOrDefault(a)).OfType<PfVfAddresses>().Distinct().ToList();
            pfNames = owning.Select(pf => pf.Name).ToList();
            poolSize = pfOf is null ? vfAddresses.Count : vfAddresses.Count(pfOf.ContainsKey);
            if (pfOf is not null)
            {
                int missing = vfAddresses.Count - poolSize.Value;
                int unlisted = owning.Sum(pf => pf.VfAddresses.Count(a => !vfAddresses.Contains(a)));
                if (missing > 0 || unlisted > 0 || vfAddresses.Count == 0)
                {
                    staleReason = $"its fixed list names {vfAddresses.Count} VFs, {missing} of which no longer exist, " +
                        $"and leaves out {unlisted} VFs its PFs have now";
                }
            }
        }

        int inUse = network.Active ? network.Connections : 0;
        int? free = poolSize is int size ? Math.Max(size - inUse, 0) : null;
        int demand = 0;
        var consumers = new SortedSet<string>(StringComparer.Ordinal);
        var runningConsumers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var guest in guests)
        {
            int uses = guest.Definition.NetworkInterfaces.Count(n => n == network.Name);
            demand += uses;
            bool runsOnIt = guest.Running?.NetworkInterfaces.Contains(network.Name, StringComparer.Ordinal) == true;
            if (uses > 0 || runsOnIt)
            {
                consumers.Add(guest.Name);
            }

            if (runsOnIt)
            {
                runningConsumers.Add(guest.Name);
            }
        }

        foreach (var port in network.Ports ?? [])
        {
            if (port.Owner is { } owner)
            {
                consumers.Add(owner);
                runningConsumers.Add(owner);
            }
        }

        var (state, reason) = Judge(staleReason, network.Active, network.Name, poolSize, inUse, free, demand);
        return new LibvirtSriovNetwork(network.Name, uri)
        {
            PfNames = pfNames,
            FixedVfList = fixedList,
            Active = network.Active,
            Autostart = network.Autostart,
            Persistent = network.Persistent,
            PoolSize = poolSize,
            InUse = inUse,
            Free = free,
            Demand = demand,
            State = state,
            StateReason = reason,
            Consumers = consumers.ToList(),
            RunningConsumers = runningConsumers.ToList(),
            VfAddresses = vfAddresses,
        };
    }

    /// <summary>
    /// One state, the first that holds of Stale, Overcommitted, Exhausted (no VFs), NotStarted and
    /// Exhausted (none free): what the pool's VFs are comes before whether it runs, since starting it
    /// mends only the last.
    /// </summary>
    private static (SriovPoolState, string?) Judge(string? staleReason, bool active, string name, int? poolSize, int inUse, int? free, int demand)
    {
        if (staleReason is not null)
        {
            return (SriovPoolState.Stale, char.ToUpperInvariant(staleReason[0]) + staleReason[1..] + ".");
        }

        if (poolSize is int size && demand > size)
        {
            return (SriovPoolState.Overcommitted, string.Create(
                CultureInfo.InvariantCulture,
                $"The guests defined on the pool have {demand} interfaces on it but it has {size} VFs: they cannot all run at once."));
        }

        if (poolSize == 0)
        {
            return (SriovPoolState.Exhausted, "The pool has no VFs (its PFs have none now): a guest on it cannot start.");
        }

        if (!active)
        {
            return (SriovPoolState.NotStarted, $"The network is defined but not started: a guest on it fails to start (\"network '{name}' is not active\").");
        }

        if (free == 0)
        {
            return (SriovPoolState.Exhausted, string.Create(
                CultureInfo.InvariantCulture,
                $"All {poolSize} VFs are in use ({inUse}): the next guest to start on the pool will fail."));
        }

        return (SriovPoolState.Ok, null);
    }

    private static IReadOnlyList<string>? Current(IReadOnlyList<PfVfAddresses> pfs, string pfName) =>
        pfs.FirstOrDefault(pf => pf.Name == pfName)?.VfAddresses ?? [];

    /// <summary>Whether two VF address lists hold the same VFs, in any order.</summary>
    internal static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.ToHashSet(StringComparer.Ordinal).SetEquals(b);
}
