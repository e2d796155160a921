namespace SriovPS.Libvirt.Guests;

/// <summary>
/// A guest's SR-IOV interfaces as its definition and its running state show them, matched by MAC:
/// pool interfaces (on a hostdev network) and fixed VFs. A running guest shows a pool interface as
/// a plain hostdev with the VF it was handed, so the pool's name comes from the definition or the
/// pool's port with that MAC.
/// </summary>
internal static class VmSriovInterfaceReport
{
    /// <param name="pools">The reports of the connection's hostdev networks.</param>
    /// <param name="pfs">This host's PFs and VFs, to name a VF's PF and index; null when libvirt runs elsewhere.</param>
    internal static List<VmSriovInterface> Describe(
        string uri, GuestState guest, LibvirtInventory inventory, IReadOnlyList<LibvirtSriovNetwork> pools, IReadOnlyList<PfVfAddresses>? pfs)
    {
        var poolByName = pools.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var portNetwork = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var network in inventory.Networks)
        {
            foreach (var port in network.Ports ?? [])
            {
                if (port.Owner == guest.Name && port.MacAddress is { } mac)
                {
                    portNetwork[mac] = network.Name;
                }
            }
        }

        var config = ByMac(guest.Definition.Interfaces);
        var live = guest.Running is null ? [] : ByMac(guest.Running.Interfaces);
        var result = new List<VmSriovInterface>();
        foreach (string mac in config.Keys.Concat(live.Keys.Where(m => !config.ContainsKey(m))))
        {
            var inConfig = config.GetValueOrDefault(mac);
            var running = live.GetValueOrDefault(mac);
            string? network = inConfig?.Network ?? running?.Network ?? portNetwork.GetValueOrDefault(mac);
            // An interface on a network that no longer exists is most likely on a removed pool: it is
            // listed (PoolState null), so it can be removed; one on an existing NAT or bridge network is not.
            bool isPool = network is not null
                && (poolByName.ContainsKey(network) || !inventory.NetworksListed || !inventory.NetworkNames.Contains(network));
            string? fixedVf = network is null ? (inConfig ?? running)!.SourcePciAddress : null;
            if (!isPool && fixedVf is null)
            {
                continue;
            }

            var shown = inConfig ?? running!;
            string? vf = running?.SourcePciAddress;
            var (pfName, index) = PfOf(vf ?? fixedVf, pfs);
            result.Add(new VmSriovInterface(guest.Name, uri, mac)
            {
                Network = isPool ? network : null,
                SourcePciAddress = fixedVf,
                Vlan = shown.VlanTags.Count > 0 ? shown.VlanTags[0] : null,
                VlanTags = shown.VlanTags,
                VirtualPortProfileId = shown.VirtualPortProfileId,
                InConfig = inConfig is not null,
                Active = running is not null,
                VmRunning = guest.Active,
                VfPciAddress = vf,
                PfName = pfName,
                VfIndex = index,
                RestartRequired = guest.Active && inConfig is not null && running is null,
                PoolState = isPool && poolByName.TryGetValue(network!, out var pool) ? pool.State : null,
            });
        }

        return result;
    }

    /// <summary>The PF of a VF and its index there, from this host's VF lists.</summary>
    internal static (string? PfName, int? Index) PfOf(string? vfAddress, IReadOnlyList<PfVfAddresses>? pfs)
    {
        foreach (var pf in pfs ?? [])
        {
            int index = vfAddress is null ? -1 : IndexOf(pf.VfAddresses, vfAddress);
            if (index >= 0)
            {
                return (pf.Name, index);
            }
        }

        return (null, null);
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return i;
            }
        }

        return -1;
    }

    // An interface without a MAC cannot be told apart (libvirt always writes one); it is skipped.
    private static Dictionary<string, GuestInterfaceXml> ByMac(IReadOnlyList<GuestInterfaceXml> interfaces)
    {
        var byMac = new Dictionary<string, GuestInterfaceXml>(StringComparer.Ordinal);
        foreach (var item in interfaces)
        {
            if (item.MacAddress is { } mac)
            {
                byMac.TryAdd(mac, item);
            }
        }

        return byMac;
    }
}
