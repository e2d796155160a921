using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Host;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>One interface to attach, and where it is still missing (the guest's definition, the running guest, or both).</summary>
internal sealed record PlannedInterface(string MacAddress, string Xml, bool ToConfig, bool ToLive);

/// <summary>
/// <c>virsh attach-device vm vm-sr-iov.xml --config</c>, checked first: the guest exists, the pool is
/// an SR-IOV pool, a fixed VF is no other guest's, MACs are unique across guests, the pool is not
/// overcommitted unnoticed; then attached, falling back to the definition alone when the running
/// guest has no PCI slot left.
/// </summary>
internal sealed class VmSriovInterfaceAddition
{
    private VmSriovInterfaceAddition(VmInterfaceRequest request, List<PlannedInterface> interfaces, string source)
    {
        Request = request;
        Interfaces = interfaces;
        Source = source;
    }

    public VmInterfaceRequest Request { get; }

    /// <summary>The interfaces that are still missing somewhere, in order.</summary>
    public IReadOnlyList<PlannedInterface> Interfaces { get; }

    /// <summary>The MACs of every interface asked for, including those already there.</summary>
    public IReadOnlyList<string> MacAddresses { get; private init; } = [];

    /// <summary>"pool 'eno49-sr-iov'" or "VF 0000:04:10.0 (eno49 vf 0)".</summary>
    public string Source { get; }

    /// <summary>Warnings to give before the change: an overcommitted pool, a VF a pool may also hand out.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Things to say in -Verbose: what is already there, -Live dropped for a stopped guest.</summary>
    public IReadOnlyList<string> Notes { get; private init; } = [];

    /// <summary>What the change does, for ShouldProcess.</summary>
    public string Action
    {
        get
        {
            int config = Interfaces.Count(i => i.ToConfig);
            int live = Interfaces.Count(i => i.ToLive);
            string where = (config, live) switch
            {
                (> 0, > 0) when config == live => "to the guest's definition and the running guest",
                (> 0, 0) => "to the guest's definition (used from its next start)",
                (0, > 0) => "to the running guest",
                _ => $"to the guest's definition ({config}) and the running guest ({live})",
            };
            int count = Interfaces.Count;
            return $"add {count} SR-IOV interface{(count == 1 ? "" : "s")} on {Source} " +
                $"({string.Join(", ", Interfaces.Select(i => i.MacAddress))}) {where}";
        }
    }

    /// <summary>Checks the request against what libvirt has now; throws before anything changes.</summary>
    /// <exception cref="SriovException">The request cannot be carried out (see the error ids of Add-VmSriovInterface).</exception>
    internal static VmSriovInterfaceAddition Plan(
        LibvirtConnection connection,
        LibvirtInventory inventory,
        IReadOnlyList<LibvirtSriovNetwork> pools,
        IReadOnlyList<PfVfAddresses>? pfs,
        VmInterfaceRequest request)
    {
        var guest = inventory.Guest(request.VmName) ?? throw LibvirtErrors.VmNotFound(request.VmName);
        var notes = new List<string>();
        var warnings = new List<string>();
        bool live = request.Live;
        if (live && !guest.Active)
        {
            if (!request.Config)
            {
                throw LibvirtErrors.VmNotRunning(request.VmName, "add an interface to the running guest");
            }

            live = false;
            notes.Add($"The guest '{guest.Name}' is not running: the interfaces go into its definition only.");
        }

        CheckVirtualPort(request);
        var macs = Macs(request, inventory);
        string source;
        LibvirtSriovNetwork? pool = null;
        if (request.Network is { } network)
        {
            pool = CheckPool(connection, inventory, pools, network, live, macs.Count);
            source = $"pool '{network}'";
        }
        else
        {
            string vf = request.VfPciAddress!;
            source = $"VF {vf}" + (request.VfDescription is { } name ? $" ({name})" : "");
            CheckFixedVf(inventory, pools, pfs, guest, vf, source, warnings);
        }

        var planned = new List<PlannedInterface>();
        foreach (string mac in macs)
        {
            bool inConfig = Has(guest.Definition, null, mac, request, guest.Name);
            bool inLive = guest.Running is { } running && Has(running, guest.Definition, mac, request, guest.Name);
            bool toConfig = request.Config && !inConfig;
            bool toLive = live && !inLive;
            if (!toConfig && !toLive)
            {
                notes.Add($"The guest '{guest.Name}' already has the interface {mac} on {source}: nothing to add.");
                continue;
            }

            string xml = request.Network is { } name
                ? GuestInterfaceXml.ForNetwork(name, mac, request.Vlan, request.VirtualPortProfileId)
                : GuestInterfaceXml.ForVf(request.VfPciAddress!, mac, request.Vlan, request.VirtualPortProfileId);
            planned.Add(new PlannedInterface(mac, xml, toConfig, toLive));
        }

        if (pool is not null && Overcommit(pool, planned.Count(p => p.ToConfig), guest.Name) is { } overcommit)
        {
            warnings.Add(overcommit);
        }

        return new VmSriovInterfaceAddition(request with { Live = live }, planned, source)
        {
            MacAddresses = macs,
            Warnings = warnings,
            Notes = notes,
        };
    }

    /// <summary>
    /// The warning when adding <paramref name="added"/> interfaces to definitions puts more interfaces
    /// on the pool than it has VFs, with the numbers; null when they fit or the pool's size is unknown.
    /// </summary>
    internal static string? Overcommit(LibvirtSriovNetwork pool, int added, string vmName)
    {
        if (added == 0 || pool.PoolSize is not int size || pool.Demand + added <= size)
        {
            return null;
        }

        int demand = pool.Demand + added;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"With {added} more on '{vmName}', the guests defined on pool '{pool.Name}' will have {demand} interfaces on it, " +
            $"but it has {size} VFs: they cannot all run at once, and the guest that starts when none is free fails with " +
            $"\"network '{pool.Name}' requires exclusive access to interfaces, but none are available\".");
    }

    /// <summary>
    /// Attaches each planned interface. When the running guest has no PCI slot left ("No more
    /// available PCI slots") and the definition was asked for too, the interface goes into the
    /// definition alone and its MAC is returned as needing a restart.
    /// </summary>
    /// <exception cref="SriovException">libvirt refused; interfaces attached before stay attached.</exception>
    internal List<string> Apply(LibvirtConnection connection, Action<string> note)
    {
        using var domain = connection.LookupDomain(Request.VmName) ?? throw LibvirtErrors.VmNotFound(Request.VmName);
        var restartRequired = new List<string>();
        bool slotsLeft = true;
        foreach (var item in Interfaces)
        {
            bool live = item.ToLive && slotsLeft;
            uint flags = (item.ToConfig ? LibvirtDomain.AffectConfig : 0) | (live ? LibvirtDomain.AffectLive : 0);
            string doing = $"add the interface {item.MacAddress} on {Source} to '{Request.VmName}'";
            if (flags == 0)
            {
                restartRequired.Add(item.MacAddress);
                continue;
            }

            try
            {
                domain.AttachDevice(item.Xml, flags);
                note($"Added the interface {item.MacAddress} on {Source} to '{Request.VmName}'.");
            }
            catch (LibvirtException e) when (live && item.ToConfig && LibvirtErrors.IsNoPciSlots(e))
            {
                slotsLeft = false;
                note($"The running guest '{Request.VmName}' has no free PCI slot ({e.LibvirtMessage}): adding to its definition only.");
                try
                {
                    domain.AttachDevice(item.Xml, LibvirtDomain.AffectConfig);
                }
                catch (LibvirtException configError)
                {
                    throw LibvirtErrors.ForGuest(configError, Request.VmName, doing);
                }

                restartRequired.Add(item.MacAddress);
            }
            catch (LibvirtException e)
            {
                throw LibvirtErrors.ForGuest(e, Request.VmName, doing);
            }
        }

        return restartRequired;
    }

    private static void CheckVirtualPort(VmInterfaceRequest request)
    {
        if (request.Vlan is < 0 or > 4095)
        {
            throw new SriovInvalidArgumentException(
                ErrorCatalog.InvalidVmInterfaceArgument, $"VLAN {request.Vlan} is out of range: a VLAN id is 0 to 4095.", request.Vlan);
        }

        // libvirt keeps the profile in a 40-byte field with its terminating NUL.
        if (request.VirtualPortProfileId is { } profile
            && (profile.Length is 0 or > 39 || !profile.All(c => c is > ' ' and < (char)0x7f)))
        {
            throw new SriovInvalidArgumentException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"'{profile}' is not an 802.1Qbh port profile id: use 1 to 39 printable ASCII characters without spaces.",
                profile);
        }
    }

    /// <summary>The given MACs, checked, or new ones no guest uses.</summary>
    private static List<string> Macs(VmInterfaceRequest request, LibvirtInventory inventory)
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
                throw new SriovInvalidArgumentException(ErrorCatalog.InvalidVmInterfaceArgument, $"-Count {count}: add at least one interface.", count);
            }

            var self = inventory.Guest(request.VmName)!;
            used.UnionWith(self.Definition.MacAddresses);
            used.UnionWith(self.Running?.MacAddresses ?? []);
            return Enumerable.Range(0, count).Select(_ => NewMac(used)).ToList();
        }

        if (request.Count is int asked && asked != given.Count)
        {
            throw new SriovInvalidArgumentException(
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
                throw new SriovInvalidArgumentException(ErrorCatalog.InvalidVmInterfaceArgument, $"The MAC {mac} is given twice.", mac);
            }

            if (used.Contains(mac))
            {
                string owner = inventory.Guests.First(g => g.Name != request.VmName
                    && (g.Definition.MacAddresses.Contains(mac) || g.Running?.MacAddresses.Contains(mac) == true)).Name;
                throw new SriovResourceExistsException(
                    ErrorCatalog.MacAddressInUse,
                    $"The MAC {mac} is already used by an interface of the guest '{owner}': two guests with one MAC on one network break both.",
                    mac,
                    "Give another -MacAddress, or leave it out to have a free one made.");
            }

            macs.Add(mac);
        }

        return macs;
    }

    // 52:54:00 is the prefix libvirt and QEMU use for guests.
    private static string NewMac(HashSet<string> used)
    {
        while (true)
        {
            int tail = Random.Shared.Next(0, 1 << 24);
            string mac = string.Create(CultureInfo.InvariantCulture, $"52:54:00:{tail >> 16:x2}:{(tail >> 8) & 0xff:x2}:{tail & 0xff:x2}");
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
    private static bool Has(GuestXml state, GuestXml? definition, string mac, VmInterfaceRequest request, string vmName)
    {
        if (!state.MacAddresses.Contains(mac))
        {
            return false;
        }

        var existing = state.Interfaces.FirstOrDefault(i => i.MacAddress == mac);
        bool same = existing is not null && (request.Network is { } network
            ? existing.Network == network || (definition is not null && RunningPoolInterface(existing, definition, network))
            : existing.SourcePciAddress == request.VfPciAddress);
        if (!same)
        {
            throw new SriovResourceExistsException(
                ErrorCatalog.MacAddressInUse,
                $"The guest '{vmName}' already has an interface with the MAC {mac}, on another source.",
                mac,
                "Give another -MacAddress, or remove that interface first with Remove-VmSriovInterface.");
        }

        return true;
    }

    // A running guest shows a pool interface as a hostdev with the VF it was handed; the definition names the pool.
    private static bool RunningPoolInterface(GuestInterfaceXml running, GuestXml definition, string network)
    {
        if (running.Network is not null || running.SourcePciAddress is null)
        {
            return false;
        }

        var configured = definition.Interfaces.FirstOrDefault(i => i.MacAddress == running.MacAddress);
        return configured is null || configured.Network == network;
    }

    private static LibvirtSriovNetwork? CheckPool(
        LibvirtConnection connection, LibvirtInventory inventory, IReadOnlyList<LibvirtSriovNetwork> pools, string network, bool live, int count)
    {
        if (!inventory.NetworksListed)
        {
            return null;
        }

        if (pools.FirstOrDefault(p => p.Name == network) is not { } pool)
        {
            using var other = connection.LookupNetwork(network);
            throw other is null
                ? LibvirtErrors.NetworkNotFound(network)
                : new SriovInvalidArgumentException(
                    ErrorCatalog.NotSriovNetwork,
                    $"The libvirt network '{network}' is not an SR-IOV pool (its forward mode is not hostdev).",
                    network,
                    "Name a pool from Get-LibvirtSriovNetwork, or make one with New-LibvirtSriovNetwork.");
        }

        if (live && pool.Active && pool.Free is int free && free < count)
        {
            throw new SriovResourceUnavailableException(
                ErrorCatalog.SriovPoolExhausted,
                string.Create(CultureInfo.InvariantCulture, $"Pool '{network}' has {free} free VFs of {pool.PoolSize} ({pool.InUse} in use): the running guest cannot get {count}."),
                network,
                "Leave out -Live to add to the guest's definition only, free a VF of the pool, or give the PF more VFs with Enable-SriovVf.");
        }

        return pool;
    }

    private static void CheckFixedVf(
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
            throw new SriovObjectNotFoundException(
                ErrorCatalog.SriovVfNotFound, $"There is no VF at {vf} on this host now.", vf, "Run Get-SriovVf to list the VFs.");
        }

        foreach (var other in inventory.Guests.Where(g => g.Name != guest.Name))
        {
            if (other.Definition.PciDevices.Contains(vf) || other.Running?.PciDevices.Contains(vf) == true)
            {
                throw VfOwned(source, other.Name, vf);
            }
        }

        foreach (var network in inventory.Networks)
        {
            if (network.Ports?.FirstOrDefault(p => p.VfAddress == vf && p.Owner != guest.Name) is { Owner: { } owner })
            {
                throw VfOwned(source, owner, vf);
            }
        }

        if (pools.FirstOrDefault(p => p.Active && p.VfAddresses.Contains(vf)) is { } pool)
        {
            warnings.Add($"{source} is also in pool '{pool.Name}', which may hand it to another guest: the guest that starts second fails.");
        }
    }

    private static SriovResourceBusyException VfOwned(string source, string owner, string vf) => new(
        ErrorCatalog.VfOwnedByGuest,
        $"{source} already belongs to the guest '{owner}': one VF can be given to one guest only.",
        vf,
        $"Pick a VF with Get-SriovVf | Where-Object Owner -eq $null, or remove it from '{owner}' with Remove-VmSriovInterface.");
}
