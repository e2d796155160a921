using SriovPS.Kernel;
using SriovPS.Values;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// The checks Add-VmSriovInterface makes before anything changes: MACs unique across guests, a
/// fixed VF nobody else has, a pool that is an SR-IOV pool, a VLAN and port profile libvirt takes.
/// </summary>
internal static class VmInterfaceChecks
{
    /// <summary>
    /// A fixed VF is one interface. When the guest has the VF already, its MAC is the interface's,
    /// so asking again (without a MAC) finds it rather than adding the VF twice.
    /// </summary>
    internal static VmInterfaceRequest SameGuestsVf(GuestState guest, LibvirtInventory inventory, VmInterfaceRequest request, string vf)
    {
        if (request.MacAddresses is { Count: > 1 })
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"A fixed VF is one interface, but {request.MacAddresses.Count} MACs are given.",
                vf);
        }

        var existing = guest.Definition.Interfaces.Concat(guest.Running?.Interfaces ?? [])
            .FirstOrDefault(i => i.SourcePciAddress == vf && i.MacAddress is not null);
        if (existing is null)
        {
            return request;
        }

        if (PoolOf(inventory, guest, existing.MacAddress!) is { } pool)
        {
            throw new SriovException(
                ErrorCatalog.VfOwnedByGuest,
                $"VF {vf} is the one pool '{pool}' handed the guest '{guest.Name}' for its interface {existing.MacAddress}: it is not free to give as a fixed VF.",
                vf,
                FreeVfRemedy(inventory, null) + ".");
        }

        if (request.MacAddresses is [var given] && KernelLinkMapping.FormatAddress(MacAddress.ParseUnicast(given)) != existing.MacAddress)
        {
            throw new SriovException(
                ErrorCatalog.VfOwnedByGuest,
                $"The guest '{guest.Name}' already has VF {vf}, as the interface {existing.MacAddress}: one VF is one interface.",
                vf,
                $"Leave out -MacAddress, or remove that interface first: Remove-VmSriovInterface -VmName '{guest.Name}' -MacAddress {existing.MacAddress}.");
        }

        return request with { MacAddresses = [existing.MacAddress!] };
    }

    internal static void CheckVirtualPort(VmInterfaceRequest request)
    {
        if (request.Vlan is < 0 or > 4095)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument, $"VLAN {request.Vlan} is out of range: a VLAN id is 0 to 4095.", request.Vlan);
        }

        if (request.Vlan is not null && request.VirtualPortProfileId is not null)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                "libvirt refuses a VLAN together with an 802.1Qbh port profile on a VF: the switch sets the VLAN the profile names.",
                request.VirtualPortProfileId,
                "Give either -Vlan or -VirtualPortProfileId.");
        }

        // libvirt keeps the profile in a 40-byte field with its terminating NUL.
        if (request.VirtualPortProfileId is { } profile
            && (profile.Length is 0 or > 39 || !profile.All(c => c is > ' ' and < (char)0x7f)))
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"'{profile}' is not an 802.1Qbh port profile id: use 1 to 39 printable ASCII characters without spaces.",
                profile);
        }
    }

    /// <summary>The given MACs, checked, or new ones no guest uses.</summary>
    internal static List<string> Macs(VmInterfaceRequest request, LibvirtInventory inventory)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in inventory.Guests.Where(g => g.Name != request.VmName))
        {
            used.UnionWith(other.Definition.MacAddresses);
            used.UnionWith(other.Running?.MacAddresses ?? []);
        }

        if (request.MacAddresses is not { Count: > 0 } given)
        {
            int count = request.Count ?? 1;
            if (count < 1)
            {
                throw new SriovException(ErrorCatalog.InvalidVmInterfaceArgument, $"-Count {count}: add at least one interface.", count);
            }

            var self = inventory.Guest(request.VmName)!;
            used.UnionWith(self.Definition.MacAddresses);
            used.UnionWith(self.Running?.MacAddresses ?? []);
            // Made from the guest, not at random, so -WhatIf shows the MACs the change then makes.
            string seed = self.Definition.Uuid ?? self.Name;
            return Enumerable.Range(0, count).Select(_ => NewMac(used, seed)).ToList();
        }

        if (request.Count is int asked && asked != given.Count)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"-Count {asked} asks for {asked} interfaces but -MacAddress gives {given.Count} MACs: give one MAC per interface, or leave -Count out.",
                asked);
        }

        var macs = new List<string>();
        foreach (string text in given)
        {
            string mac = KernelLinkMapping.FormatAddress(MacAddress.ParseUnicast(text))!;
            if (macs.Contains(mac))
            {
                throw new SriovException(ErrorCatalog.InvalidVmInterfaceArgument, $"The MAC {mac} is given twice.", mac);
            }

            if (used.Contains(mac))
            {
                string owner = inventory.Guests.First(g => g.Name != request.VmName
                    && (g.Definition.MacAddresses.Contains(mac) || g.Running?.MacAddresses.Contains(mac) == true)).Name;
                throw new SriovException(
                    ErrorCatalog.MacAddressInUse,
                    $"The MAC {mac} is already used by an interface of the guest '{owner}': two guests with one MAC on one network break both.",
                    mac,
                    "Give another -MacAddress, or leave it out to have a free one made.");
            }

            macs.Add(mac);
        }

        return macs;
    }

    /// <summary>
    /// The first MAC not in <paramref name="used"/> of a sequence the guest's <paramref name="seed"/>
    /// (its UUID) fixes: the same guest and the same MACs in use give the same MAC, and another guest
    /// another sequence, as unlikely to meet as random ones. 52:54:00 is the prefix libvirt and QEMU
    /// use for guests.
    /// </summary>
    internal static string NewMac(HashSet<string> used, string seed)
    {
        for (int attempt = 0; ; attempt++)
        {
            byte[] hash = System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"SriovPS MAC\0{seed}\0{attempt}")));
            string mac = string.Create(CultureInfo.InvariantCulture, $"52:54:00:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}");
            if (used.Add(mac))
            {
                return mac;
            }
        }
    }

    /// <summary>
    /// Whether one of the guest's states (<paramref name="definition"/> null: the definition itself)
    /// has the interface with <paramref name="mac"/> on the requested source already; another
    /// interface with that MAC is refused.
    /// </summary>
    internal static bool Has(GuestXml state, GuestState guest, LibvirtInventory inventory, bool running, string mac, VmInterfaceRequest request)
    {
        string vmName = guest.Name;
        if (!state.MacAddresses.Contains(mac))
        {
            return false;
        }

        var existing = state.Interfaces.FirstOrDefault(i => i.MacAddress == mac);
        bool same = existing is not null && (request.Network is { } network
            ? existing.Network == network || (running && RunningPoolInterface(existing, guest, inventory, network))
            : existing.SourcePciAddress == request.VfPciAddress && (!running || PoolOf(inventory, guest, mac) is null));
        if (!same)
        {
            throw new SriovException(
                ErrorCatalog.MacAddressInUse,
                $"The guest '{vmName}' already has an interface with the MAC {mac}, on another source.",
                mac,
                "Give another -MacAddress, or remove that interface first with Remove-VmSriovInterface.");
        }

        if (existing!.VlanTags.FirstOrDefault(-1) != (request.Vlan ?? -1) || existing.VirtualPortProfileId != request.VirtualPortProfileId)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"The guest '{vmName}' already has the interface {mac} on this source, with another VLAN or port profile: an interface is not changed in place.",
                mac,
                $"Remove it first (Remove-VmSriovInterface -VmName '{vmName}' -MacAddress {mac}), then add it again.");
        }

        return true;
    }

    /// <summary>
    /// A running guest shows a pool interface as a hostdev with the VF it was handed: it is on
    /// <paramref name="network"/> when that pool's port says so, or (a driver without ports) when the
    /// definition puts that MAC on it.
    /// </summary>
    internal static bool RunningPoolInterface(GuestInterfaceXml running, GuestState guest, LibvirtInventory inventory, string network)
    {
        if (running.Network is not null || running.SourcePciAddress is null)
        {
            return false;
        }

        return PoolOf(inventory, guest, running.MacAddress!) is { } pool
            ? pool == network
            : inventory.Network(network)?.Ports is null
                && guest.Definition.Interfaces.FirstOrDefault(i => i.MacAddress == running.MacAddress)?.Network == network;
    }

    /// <summary>The pool whose port hands the guest's interface <paramref name="mac"/> its VF, or null.</summary>
    internal static string? PoolOf(LibvirtInventory inventory, GuestState guest, string mac) =>
        inventory.Networks.FirstOrDefault(n => n.Ports?.Any(p => p.Owner == guest.Name && p.MacAddress == mac) == true)?.Name;

    internal static LibvirtSriovNetwork? CheckPool(LibvirtInventory inventory, IReadOnlyList<LibvirtSriovNetwork> pools, string network)
    {
        if (!inventory.NetworksListed)
        {
            return null;
        }

        if (pools.FirstOrDefault(p => p.Name == network) is not { } pool)
        {
            throw !inventory.NetworkNames.Contains(network)
                ? LibvirtErrors.NetworkNotFound(network)
                : new SriovException(
                    ErrorCatalog.NotSriovNetwork,
                    $"The libvirt network '{network}' is not an SR-IOV pool (its forward mode is not hostdev).",
                    network,
                    "Name a pool from Get-LibvirtSriovNetwork, or make one with New-LibvirtSriovNetwork.");
        }

        return pool;
    }

    internal static void CheckFixedVf(
        LibvirtInventory inventory,
        IReadOnlyList<LibvirtSriovNetwork> pools,
        IReadOnlyList<PfVfAddresses>? pfs,
        GuestState guest,
        string vf,
        string source,
        List<string> warnings)
    {
        if (pfs is not null && !pfs.Any(pf => pf.VfAddresses.Contains(vf)))
        {
            throw new SriovException(
                ErrorCatalog.SriovVfNotFound, $"There is no VF at {vf} on this host now.", vf, "Run Get-SriovVf to list the VFs.");
        }

        foreach (var other in inventory.Guests.Where(g => g.Name != guest.Name))
        {
            if (other.Running?.PciDevices.Contains(vf) == true)
            {
                throw VfOwned(source, other.Name, vf, inventory, pfs);
            }

            if (other.Definition.PciDevices.Contains(vf))
            {
                throw VfOwned(source, other.Name, vf, inventory, pfs, inDefinitionOnly: true);
            }
        }

        foreach (var network in inventory.Networks)
        {
            if (network.Ports?.FirstOrDefault(p => p.VfAddress == vf && p.Owner != guest.Name) is { Owner: { } owner })
            {
                throw VfOwned(source, owner, vf, inventory, pfs);
            }
        }

        if (pools.FirstOrDefault(p => p.Active && p.VfAddresses.Contains(vf)) is { } pool)
        {
            warnings.Add($"{source} is also in pool '{pool.Name}', which may hand it to another guest: the guest that starts second fails.");
        }
    }

    /// <param name="inDefinitionOnly">The owner has the VF in its definition and does not run with it (Get-SriovVf shows no Owner for it).</param>
    internal static SriovException VfOwned(
        string source, string owner, string vf, LibvirtInventory inventory, IReadOnlyList<PfVfAddresses>? pfs, bool inDefinitionOnly = false) => new(
        ErrorCatalog.VfOwnedByGuest,
        inDefinitionOnly
            ? $"{source} already belongs to the guest '{owner}', fixed in its definition (it does not run with it now): one VF can be given to one guest only."
            : $"{source} already belongs to the guest '{owner}': one VF can be given to one guest only.",
        vf,
        $"{FreeVfRemedy(inventory, pfs)}, or remove it from '{owner}' with Remove-VmSriovInterface.");

    /// <summary>
    /// How to pick a VF no guest holds. Get-SriovVf's Owner names running guests only, so the VFs fixed
    /// in definitions that no running guest uses (a stopped guest's, or one waiting for a restart) are
    /// named by address.
    /// </summary>
    internal static string FreeVfRemedy(LibvirtInventory inventory, IReadOnlyList<PfVfAddresses>? pfs)
    {
        var running = inventory.VfOwners();
        var vfs = pfs?.SelectMany(pf => pf.VfAddresses).ToHashSet(StringComparer.Ordinal);
        var defined = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var guest in inventory.Guests)
        {
            foreach (var address in guest.Definition.PciDevices)
            {
                if (!running.ContainsKey(address) && (vfs is null || vfs.Contains(address)))
                {
                    defined.TryAdd(address, guest.Name);
                }
            }
        }

        if (defined.Count == 0)
        {
            return "Pick a VF with Get-SriovVf | Where-Object Owner -eq $null";
        }

        string addresses = string.Join(", ", defined.Keys.Select(a => $"'{a}'"));
        string where = HostText.Join(defined.Select(d => $"{d.Key} in '{d.Value}'").ToList());
        return $"Pick a VF with Get-SriovVf | Where-Object {{ $null -eq $_.Owner -and $_.PciAddress -notin {addresses} }} " +
            $"(Owner names running guests only; these VFs are fixed in guests' definitions: {where})";
    }
}
