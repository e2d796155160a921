using System.Threading;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Native.Files;
using SriovPS.Values;

namespace SriovPS.Hosting;

/// <summary>
/// What one command works with on its host: discovery, the netlink and devlink sockets (live host only),
/// the PFs read once however many records arrive, selection by name, this machine's libvirt, and the
/// change lock. Everything it finds worth saying goes to one <see cref="IHostReport"/>.
/// </summary>
internal sealed class HostSession : IDisposable
{
    // Longer than any one change takes: creating VFs waits up to 60 s for them and 60 s for their drivers.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(300);

    private readonly bool _readsPfKernelState;
    private SriovDiscovery? _discovery;
    private KernelLinks? _kernelLinks;
    private EswitchModes? _eswitchModes;
    private NetdevFeatures? _netdevFeatures;
    private List<SriovPf>? _pfs;
    private List<SriovPf>? _networkFunctions;
    private LibvirtHost? _libvirt;
    private bool _libvirtTried;

    /// <param name="readsPfKernelState">Whether PFs carry link state, MAC and MTU as the kernel reports them now (a netlink request per PF).</param>
    public HostSession(HostContext host, IHostReport report, CancellationToken cancellation = default, bool readsPfKernelState = false)
    {
        Host = host;
        Report = report;
        Cancellation = cancellation;
        _readsPfKernelState = readsPfKernelState;
    }

    public HostContext Host { get; }

    public IHostReport Report { get; }

    public CancellationToken Cancellation { get; }

    internal HostFileSystem Files => Host.Files;

    /// <summary>Discovery on the host; on the live host it reads the kernel over netlink and devlink too.</summary>
    internal SriovDiscovery Discovery => _discovery ??= new SriovDiscovery(
        Files, PciIdDatabase.ForHost(Files), Report, KernelLinks, EswitchModes, NetdevFeatures);

    /// <summary>The netlink socket to the live kernel, or what a snapshot holds of it; <c>null</c> for a copied host tree.</summary>
    internal KernelLinks? KernelLinks => Host.IsLiveHost ? _kernelLinks ??= new KernelLinks(Report) : _kernelLinks ??= Host.Snapshot?.Links(Report);

    /// <summary>The devlink socket to the live kernel, or what a snapshot holds of it; <c>null</c> for a copied host tree.</summary>
    internal EswitchModes? EswitchModes => Host.IsLiveHost ? _eswitchModes ??= new EswitchModes(Report) : _eswitchModes ??= Host.Snapshot?.Eswitch();

    /// <summary>Interfaces' offload features through ethtool netlink, or what a snapshot holds of them; <c>null</c> for a copied host tree.</summary>
    internal NetdevFeatures? NetdevFeatures => Host.IsLiveHost ? _netdevFeatures ??= new NetdevFeatures(Report) : _netdevFeatures ??= Host.Snapshot?.Features();

    /// <summary>Whether what only the kernel knows can be read: on the live host, and from a snapshot that holds it.</summary>
    internal bool KernelKnown => Host.IsLiveHost || Host.Snapshot?.Kernel is not null;

    /// <summary>Every PF (with <paramref name="includeNotCapable"/>, every network function), read once until <see cref="ForgetPfs"/>.</summary>
    public List<SriovPf> AllPfs(bool includeNotCapable = false) => includeNotCapable
        ? _networkFunctions ??= Discovery.GetPfs(includeNotCapable: true, _readsPfKernelState)
        : _pfs ??= Discovery.GetPfs(kernelState: _readsPfKernelState);

    /// <summary>Forgets the PFs read so far, after a change that alters them (their VF count).</summary>
    public void ForgetPfs()
    {
        _pfs = null;
        _networkFunctions = null;
    }

    /// <summary>The PF at <paramref name="pciAddress"/> as it is now, or null.</summary>
    public SriovPf? PfAt(string pciAddress) => AllPfs().Find(p => p.PciAddress == pciAddress);

    /// <summary>The VFs of <paramref name="pf"/> as they are now.</summary>
    public List<SriovVf> VfsOf(SriovPf pf) => Discovery.GetVfs(pf);

    /// <summary>The PFs <paramref name="given"/> (objects from the pipeline, possibly old) as they are now, reporting each that is gone.</summary>
    public List<SriovPf> CurrentPfs(IEnumerable<SriovPf> given)
    {
        var pfs = new List<SriovPf>();
        foreach (var old in given)
        {
            if (PfAt(old.PciAddress) is { } pf)
            {
                pfs.Add(pf);
            }
            else
            {
                Report.Fail(PfErrors.Gone(old));
            }
        }

        return pfs;
    }

    /// <summary>The VF <paramref name="given"/> (from the pipeline, possibly old) and its PF as they are now; null, reported, when it is gone.</summary>
    public (SriovPf Pf, SriovVf Vf)? CurrentVf(SriovVf given)
    {
        var pf = PfAt(given.PfPciAddress);
        if (pf is not null && VfsOf(pf).Find(v => v.PciAddress == given.PciAddress) is { } vf)
        {
            return (pf, vf);
        }

        Report.Fail(VfErrors.Gone(given));
        return null;
    }

    /// <summary>
    /// The valid patterns among <paramref name="values"/>, reporting each invalid one; <c>null</c> when no
    /// values were given (select all), empty when none was valid (select none).
    /// </summary>
    public List<NamePattern>? ParsePatterns(string[]? values, Func<string, NamePattern> parse)
    {
        if (values is null)
        {
            return null;
        }

        var patterns = new List<NamePattern>(values.Length);
        foreach (var value in values)
        {
            try
            {
                patterns.Add(parse(value));
            }
            catch (SriovException e) when (e.Category == SriovErrorCategory.InvalidArgument)
            {
                Report.Fail(e);
            }
        }

        return patterns;
    }

    /// <summary>The PFs <paramref name="names"/> select (every PF when null), reporting malformed names and literal names that match no PF.</summary>
    public List<SriovPf> SelectPfs(string[]? names, bool includeNotCapable = false) =>
        Select(ParsePatterns(names, ParseInterfaceName), includeNotCapable, PfKey.Name, out _);

    /// <summary>
    /// <see cref="SelectPfs(string[], bool)"/>, telling whether every name was valid and matched (a wildcard
    /// that matches nothing counts as matched, as in PowerShell's own Get- commands).
    /// </summary>
    public List<SriovPf> SelectPfs(string[] names, bool includeNotCapable, out bool everyNameSelected)
    {
        var patterns = ParsePatterns(names, ParseInterfaceName)!;
        var selected = Select(patterns, includeNotCapable, PfKey.Name, out int unmatched);
        everyNameSelected = patterns.Count == names.Length && unmatched == 0;
        return selected;
    }

    /// <summary>The PFs at <paramref name="addresses"/> (literal or wildcard), reported like <see cref="SelectPfs"/>.</summary>
    public List<SriovPf> SelectPfsAt(string[]? addresses, bool includeNotCapable = false) =>
        Select(ParsePatterns(addresses, PciAddress.ToPattern), includeNotCapable, PfKey.PciAddress, out _);

    /// <summary>
    /// This machine's default libvirt (<c>$env:LIBVIRT_DEFAULT_URI</c>, else <c>qemu:///system</c>) for commands
    /// that only consult it, or the libvirt a snapshot holds; null, noted, on a copied host tree, without
    /// libvirt, or when it cannot be reached.
    /// </summary>
    public LibvirtHost? HostLibvirt()
    {
        if (_libvirtTried)
        {
            return _libvirt;
        }

        _libvirtTried = true;
        if (Host.Snapshot is { } snapshot)
        {
            if (snapshot.Libvirt() is var (savedUri, inventory))
            {
                return _libvirt = LibvirtHost.Saved(savedUri, inventory, snapshot.Source);
            }

            Report.Note($"libvirt is not in {snapshot.Description}: {snapshot.LibvirtMissing}");
            return null;
        }

        if (!Host.IsLiveHost)
        {
            return null;
        }

        string uri = LibvirtUri.Default();
        try
        {
            _libvirt = LibvirtHost.Connect(uri);
        }
        catch (SriovException e)
        {
            Report.Note($"libvirt ({uri}) was not consulted: {e.Message}");
        }

        return _libvirt;
    }

    /// <summary>The running guest holding each VF (by PCI address); null when libvirt is not consulted or could not be read (warned).</summary>
    public Dictionary<string, string>? GuestOwners()
    {
        if (HostLibvirt() is not { } libvirt)
        {
            return null;
        }

        try
        {
            return libvirt.ReadInventory(runningOnly: true).VfOwners();
        }
        catch (SriovException e)
        {
            Report.Warn($"Could not read which guests hold VFs from libvirt ({libvirt.Uri}): {e.Message}");
            return null;
        }
    }

    /// <summary>This host's PFs with the addresses of their VFs now: what a libvirt pool on them holds.</summary>
    internal List<PfVfAddresses> PfVfAddresses(IEnumerable<SriovPf> pfs)
    {
        var result = new List<PfVfAddresses>();
        foreach (var pf in pfs)
        {
            if (pf.Name is { } name)
            {
                result.Add(new PfVfAddresses(name, pf.PciAddress, VfAddressList.Read(Files, pf.PciAddress)));
            }
        }

        return result;
    }

    /// <summary>The host's change lock, so commands in other sessions wait their turn; a wait is noted at once and warned of after a few seconds.</summary>
    /// <exception cref="SriovException">It was not free in time (HostChangeInProgress), or cannot be created.</exception>
    public IDisposable AcquireLock() =>
        HostChangeLock.Acquire(Files, LockWait, Report, Cancellation);

    /// <summary>The refusal of a change on a copied host tree, which only the running kernel can make.</summary>
    /// <param name="whatIfGiven">Whether the command runs under -WhatIf already, so the remedy does not suggest it.</param>
    public SriovException LiveHostRequired(string label, string what, bool whatIfGiven) => new(
        ErrorCatalog.LiveHostRequired,
        Host.Snapshot is { } snapshot
            ? $"{label} belongs to {snapshot.Description} ('{snapshot.Source}'): {what}"
            : $"{label} belongs to the copied host tree '{Host.Root}': {what}",
        label,
        $"Leave out -HostRoot and $env:{HostContext.RootVariable} to work on this machine{(whatIfGiven ? "." : ", or use -WhatIf to see what would be done.")}");

    public void Dispose()
    {
        _kernelLinks?.Dispose();
        _eswitchModes?.Dispose();
        _netdevFeatures?.Dispose();
    }

    private static NamePattern ParseInterfaceName(string name)
    {
        InterfaceName.Validate(name);
        return NamePattern.Parse(name);
    }

    /// <param name="unmatched">How many literal values matched no PF (each reported).</param>
    private List<SriovPf> Select(List<NamePattern>? patterns, bool includeNotCapable, PfKey key, out int unmatched)
    {
        unmatched = 0;
        if (patterns is { Count: 0 })
        {
            return [];
        }

        var (selected, errors) = PfSelection.Select(AllPfs(includeNotCapable), patterns, key);
        errors.ForEach(Report.Fail);
        unmatched = errors.Count;
        return selected;
    }
}
