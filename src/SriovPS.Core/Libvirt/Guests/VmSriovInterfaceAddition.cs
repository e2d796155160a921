using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt.Guests;

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

    private readonly List<(PlannedInterface Item, uint Flags)> _attached = [];

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

    /// <summary>The MACs that <see cref="Apply"/> could put only into the definition of the running guest, which has no PCI slot left.</summary>
    public IReadOnlyList<string> RestartRequired { get; private set; } = [];

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

        VmInterfaceChecks.CheckVirtualPort(request);
        if (request.VfPciAddress is { } fixedVf)
        {
            request = VmInterfaceChecks.SameGuestsVf(guest, inventory, request, fixedVf);
        }

        var macs = VmInterfaceChecks.Macs(request, inventory);
        string source;
        LibvirtSriovNetwork? pool = null;
        if (request.Network is { } network)
        {
            pool = VmInterfaceChecks.CheckPool(inventory, pools, network);
            source = $"pool '{network}'";
        }
        else
        {
            string vf = request.VfPciAddress!;
            source = $"VF {vf}" + (request.VfDescription is { } name ? $" ({name})" : "");
            VmInterfaceChecks.CheckFixedVf(inventory, pools, pfs, guest, vf, source, warnings);
        }

        var planned = new List<PlannedInterface>();
        foreach (string mac in macs)
        {
            bool inConfig = VmInterfaceChecks.Has(guest.Definition, guest, inventory, running: false, mac, request);
            bool inLive = guest.Running is { } running && VmInterfaceChecks.Has(running, guest, inventory, running: true, mac, request);
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

        int goingLive = planned.Count(p => p.ToLive);
        if (pool is { Active: true, Free: int free } && free < goingLive)
        {
            throw new SriovException(
                ErrorCatalog.SriovPoolExhausted,
                string.Create(CultureInfo.InvariantCulture, $"Pool '{pool.Name}' has {free} free VFs of {pool.PoolSize} ({pool.InUse} in use): the running guest cannot get {goingLive}."),
                pool.Name,
                "Leave out -Live to add to the guest's definition only, free a VF of the pool, or give the PF more VFs with Enable-SriovVf.");
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
    /// definition alone and its MAC is returned (and kept in <see cref="RestartRequired"/>) as needing a restart.
    /// </summary>
    /// <param name="report">Hears each interface added, and a running guest found without a free PCI slot.</param>
    /// <exception cref="SriovException">libvirt refused; interfaces attached before stay attached.</exception>
    internal List<string> Apply(LibvirtConnection connection, IHostReport report)
    {
        using var domain = LibvirtErrors.LookupGuest(connection, Request.VmName);
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
                _attached.Add((item, flags));
                report.Note($"Added the interface {item.MacAddress} on {Source} to '{Request.VmName}'" + (live || !item.ToLive ? "." : "'s definition only."));
                if (item.ToLive && !live)
                {
                    restartRequired.Add(item.MacAddress);
                }
            }
            catch (LibvirtException e) when (live && Request.Config && LibvirtErrors.IsNoPciSlots(e))
            {
                slotsLeft = false;
                report.Note($"The running guest '{Request.VmName}' has no free PCI slot ({e.LibvirtMessage}): " +
                    (item.ToConfig ? "adding to its definition only." : "the interface stays in its definition only."));
                if (item.ToConfig)
                {
                    try
                    {
                        domain.AttachDevice(item.Xml, LibvirtDomain.AffectConfig);
                        _attached.Add((item, LibvirtDomain.AffectConfig));
                    }
                    catch (LibvirtException configError)
                    {
                        throw LibvirtErrors.ForGuest(configError, Request.VmName, doing);
                    }
                }

                restartRequired.Add(item.MacAddress);
            }
            catch (LibvirtException e)
            {
                throw LibvirtErrors.ForGuest(e, Request.VmName, doing);
            }
        }

        RestartRequired = restartRequired;
        return restartRequired;
    }

    /// <summary>
    /// Takes back what <see cref="Apply"/> attached, newest first, from where it went. A running guest
    /// gives a PCI device back only when its OS agrees to the unplug.
    /// </summary>
    /// <exception cref="SriovException">libvirt refused.</exception>
    internal void Detach(LibvirtConnection connection)
    {
        using var domain = LibvirtErrors.LookupGuest(connection, Request.VmName);
        for (int i = _attached.Count - 1; i >= 0; i--)
        {
            var (item, flags) = _attached[i];
            try
            {
                domain.DetachDevice(item.Xml, flags);
            }
            catch (LibvirtException e)
            {
                throw LibvirtErrors.ForGuest(e, Request.VmName, $"take back the interface {item.MacAddress} of '{Request.VmName}'");
            }

            _attached.RemoveAt(i);
        }
    }

    /// <summary>The warning for an interface that went into the definition only, for want of a PCI slot in the running guest.</summary>
    internal string RestartWarning(string mac) =>
        $"The running guest '{Request.VmName}' has no free PCI slot (\"No more available PCI slots\"): the interface {mac} " +
        "is in its definition only. Shut the guest down and start it again to get it: libvirt then adds the PCIe root ports it needs.";

    /// <summary>
    /// The interfaces asked for, as the guest has them in <paramref name="inventory"/> (read after the
    /// change), each with the warnings given before it and, when it waits for a restart, that one.
    /// </summary>
    internal List<VmSriovInterface> Outcome(string uri, LibvirtInventory inventory, IReadOnlyList<LibvirtSriovNetwork> pools, IReadOnlyList<PfVfAddresses>? pfs)
    {
        if (inventory.Guest(Request.VmName) is not { } guest)
        {
            return [];
        }

        var items = VmSriovInterfaceReport.Describe(uri, guest, inventory, pools, pfs).FindAll(i => MacAddresses.Contains(i.MacAddress));
        foreach (var item in items)
        {
            item.Warnings = RestartRequired.Contains(item.MacAddress) ? [.. Warnings, RestartWarning(item.MacAddress)] : Warnings;
        }

        return items;
    }
}
