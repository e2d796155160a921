using SriovPS.AppArmor;
using SriovPS.Boot;
using SriovPS.Consumers;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Native.Files;
using SriovPS.Persistence;

namespace SriovPS.Readiness;

/// <summary>What one readiness run looks at.</summary>
internal sealed class HostReadinessInput
{
    public required HostFileSystem Files { get; init; }

    /// <summary>Every SR-IOV PF of the host.</summary>
    public required IReadOnlyList<SriovPf> Pfs { get; init; }

    /// <summary>The PFs <c>-PfName</c> chose (possibly ones without SR-IOV); <c>null</c> when not narrowed.</summary>
    public IReadOnlyList<SriovPf>? SelectedPfs { get; init; }

    /// <summary>The networks <c>-Network</c> chose; <c>null</c> when not narrowed.</summary>
    public IReadOnlyCollection<string>? SelectedNetworks { get; init; }

    /// <summary>A PF's VFs as they are now.</summary>
    public required Func<SriovPf, IReadOnlyList<SriovVf>> VfsOf { get; init; }

    /// <summary>libvirt as read for this run; <c>null</c> on a copied host tree, where it is not asked.</summary>
    public LibvirtFacts? Libvirt { get; init; }

    public required string Uri { get; init; }

    /// <summary>The host's name for host-wide checks; <c>null</c> reads it from the files.</summary>
    public string? HostName { get; init; }

    /// <summary>How a check names the copied tree or snapshot read; <c>null</c> is the files' root.</summary>
    public string? Location { get; init; }

    /// <summary>
    /// Whether the files are all of the host's (the live host, or a snapshot taken on it): a file missing
    /// there is missing on the host, not merely left out of a copy.
    /// </summary>
    public bool? WholeHost { get; init; }

    /// <summary>What the VFs are for: which checks run (<see cref="ConsumerChecks"/>).</summary>
    public SriovConsumer Consumer { get; init; } = SriovConsumer.Libvirt;

    /// <summary>
    /// Whether the kernel was read (netlink, devlink; on the running host or into its snapshot), so the settings
    /// a PF holds for its VFs (their MACs) and its eswitch mode are known: not on a copied host tree.
    /// </summary>
    public bool VfSettingsKnown { get; init; }

    /// <summary>Open vSwitch as read, for <see cref="SriovConsumer.OvsOffload"/>; <c>null</c> when not known.</summary>
    public OvsFacts? Ovs { get; init; }

    /// <summary>Why <see cref="Ovs"/> is not known (a copied host tree, a snapshot without it).</summary>
    public string OvsUnknown { get; init; } = OvsOffloadChecks.NotAskedOnCopiedTree;

    /// <summary>An interface's hw-tc-offload feature; <c>null</c> when the features are not known.</summary>
    public Func<string, NetdevFeatureState?>? HwTcOffload { get; init; }
}

/// <summary>
/// Runs every readiness check on a host — IOMMU, vfio, each PF, libvirt, its pools and guests — and
/// returns them failures first. Host-wide checks always run; <c>-PfName</c> and <c>-Network</c>
/// narrow the PF, pool and guest checks to what they name and what uses it.
/// </summary>
internal static class HostReadiness
{
    public const string NoPfId = "Pf.SriovCapable";

    public static List<SriovHostCheck> Run(HostReadinessInput input)
    {
        if (input.Consumer != SriovConsumer.Libvirt)
        {
            return ConsumerReadiness.Run(input);
        }

        var checks = new HostCheckList();
        var files = input.Files;
        string host = input.HostName ?? HostName(files);
        var commandLine = KernelCommandLine.Read(files);
        bool iommuOn = IommuChecks.Run(checks, files, host, commandLine);
        VfioChecks.Run(checks, files, host, commandLine);

        var libvirt = input.Libvirt is { Failure: null } answered ? answered : null;
        var pools = SelectPools(input, libvirt);
        var pfs = SelectPfs(input, pools, libvirt is not null);
        NoPfs(checks, input, host);
        var vfsOf = VfsOnce(input);

        string? udevRules = HostText.Read(files, UdevVfRules.HostPath);
        // Every pool counts here, not only the selected ones: a PF down under any pool stops its guests.
        var pooledPfs = (libvirt?.Pools ?? []).SelectMany(p => p.PfNames).ToHashSet(StringComparer.Ordinal);
        foreach (var pf in pfs)
        {
            PfChecks.Run(checks, files, pf, vfsOf(pf), commandLine, iommuOn, udevRules, pf.Name is { } name && pooledPfs.Contains(name));
        }

        bool reachable = LibvirtChecks.Reachable(checks, input.Libvirt, input.Location ?? files.Root, input.Uri);
        LibvirtChecks.DynamicOwnership(checks, files);
        // The pools of a libvirt on another machine hand out that machine's VFs.
        LibvirtChecks.AppArmorVfio(checks, files, GroupsInUse(input.Pfs, pools, vfsOf), reachable && !LibvirtUri.IsRemote(input.Uri), input.WholeHost ?? files.IsLiveHost);
        LibvirtChecks.AppArmorStaleRules(checks, files);
        if (libvirt is null)
        {
            return checks.BySeverity();
        }

        foreach (var pool in pools)
        {
            PoolChecks.PoolState(checks, pool);
        }

        GuestSlots(checks, input, libvirt, pfs, pools);
        return checks.BySeverity();
    }

    /// <summary>A failed Pf.SriovCapable for the host when it has no SR-IOV PF and none was named.</summary>
    internal static void NoPfs(HostCheckList checks, HostReadinessInput input, string host)
    {
        if (input.Pfs.Count == 0 && input.SelectedPfs is null)
        {
            checks.Fail(NoPfId, host, $"No network device in {SriovDiscovery.PciDevices} has SR-IOV (sriov_totalvfs): there is nothing to make VFs on.",
                "Use an SR-IOV NIC, or turn SR-IOV on for it in the firmware setup; Get-SriovPf -IncludeNotCapable lists the NICs there are.");
        }
    }

    /// <summary>A PF's VFs, read once per run; none for a PF that cannot have any.</summary>
    internal static Func<SriovPf, IReadOnlyList<SriovVf>> VfsOnce(HostReadinessInput input)
    {
        var vfsByPf = new Dictionary<string, IReadOnlyList<SriovVf>>(StringComparer.Ordinal);
        return pf => pf.SriovSupport == SriovSupport.NotCapable || pf.Driver is null
            ? []
            : vfsByPf.TryGetValue(pf.PciAddress, out var known) ? known : vfsByPf[pf.PciAddress] = input.VfsOf(pf);
    }

    /// <summary>
    /// One line over a run: "2 Fail, 5 Warning, 20 Pass, 9 Skipped (36 checks)", with the files -Fix
    /// changed when it changed any; "Test-SriovHost -For Docker: …" for a consumer other than libvirt.
    /// </summary>
    public static string Summary(IReadOnlyList<SriovHostCheck> checks, int filesChanged, SriovConsumer consumer = SriovConsumer.Libvirt)
    {
        string counts = string.Join(", ", new[] { SriovCheckStatus.Fail, SriovCheckStatus.Warning, SriovCheckStatus.Pass, SriovCheckStatus.Skipped }
            .Select(status => string.Create(CultureInfo.InvariantCulture, $"{checks.Count(c => c.Status == status)} {status}")));
        string changed = filesChanged > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; -Fix changed {filesChanged} file{(filesChanged == 1 ? "" : "s")}, listed after the checks")
            : "";
        string command = consumer == SriovConsumer.Libvirt ? "Test-SriovHost" : $"Test-SriovHost -For {consumer}";
        return string.Create(CultureInfo.InvariantCulture, $"{command}: {counts} ({checks.Count} checks{changed}).");
    }

    /// <summary>The host's name for host-wide checks: this machine's, or the copied tree's /etc/hostname.</summary>
    internal static string HostName(HostFileSystem files) =>
        files.IsLiveHost ? Environment.MachineName
        : HostText.Read(files, "/etc/hostname")?.Trim() is { Length: > 0 } name ? name
        : files.Root;

    private static List<LibvirtSriovNetwork> SelectPools(HostReadinessInput input, LibvirtFacts? libvirt)
    {
        if (libvirt is null)
        {
            return [];
        }

        if (input.SelectedNetworks is { } networks)
        {
            return libvirt.Pools.Where(p => networks.Contains(p.Name)).ToList();
        }

        if (input.SelectedPfs is { } selected)
        {
            var names = selected.Select(p => p.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
            return libvirt.Pools.Where(p => p.PfNames.Any(names.Contains)).ToList();
        }

        return [.. libvirt.Pools];
    }

    private static IReadOnlyList<SriovPf> SelectPfs(HostReadinessInput input, List<LibvirtSriovNetwork> pools, bool poolsRead)
    {
        if (input.SelectedPfs is { } selected)
        {
            return selected;
        }

        if (input.SelectedNetworks is not null && poolsRead)
        {
            var names = pools.SelectMany(p => p.PfNames).ToHashSet(StringComparer.Ordinal);
            return input.Pfs.Where(p => p.Name is { } name && names.Contains(name)).ToList();
        }

        return input.Pfs;
    }

    /// <summary>
    /// The vfio groups of the VFs pools hand out: libvirt writes a rule for a fixed VF into the guest's
    /// own AppArmor profile, but not for the VF a pool picks as the guest starts (the seeds' failure).
    /// </summary>
    internal static List<VfioGroupNeed> GroupsInUse(
        IReadOnlyList<SriovPf> allPfs, IReadOnlyList<LibvirtSriovNetwork> pools, Func<SriovPf, IReadOnlyList<SriovVf>> vfsOf)
    {
        var groups = new Dictionary<int, VfioGroupNeed>();

        if (pools.Count > 0)
        {
            var vfByAddress = allPfs.SelectMany(pf => vfsOf(pf).Select(vf => (pf, vf))).ToDictionary(p => p.vf.PciAddress, StringComparer.Ordinal);
            foreach (var pool in pools)
            {
                foreach (var address in pool.VfAddresses)
                {
                    if (vfByAddress.TryGetValue(address, out var found) && found.vf.IommuGroup is int group)
                    {
                        groups.TryAdd(group, new VfioGroupNeed(group, address, string.Create(CultureInfo.InvariantCulture, $"VF {found.vf.Index} of {found.pf}, {address}, in pool '{pool.Name}'")));
                    }
                }
            }
        }

        return [.. groups.Values];
    }

    private static void GuestSlots(HostCheckList checks, HostReadinessInput input, LibvirtFacts libvirt, IReadOnlyList<SriovPf> pfs, List<LibvirtSriovNetwork> pools)
    {
        bool narrowed = input.SelectedPfs is not null || input.SelectedNetworks is not null;
        var poolNames = pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var pfNames = pfs.Select(p => p.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var guest in libvirt.Inventory!.Guests)
        {
            if (!guest.Active || guest.Running is not { } running)
            {
                continue;
            }

            var interfaces = libvirt.Interfaces
                .Where(i => i.VmName == guest.Name)
                .Where(i => !narrowed || (i.Network is { } n && poolNames.Contains(n)) || (i.PfName is { } p && pfNames.Contains(p)))
                .ToList();
            if (interfaces.Count > 0)
            {
                PoolChecks.GuestPciSlots(checks, guest.Name, interfaces, running.FreeHotplugSlots);
            }
        }
    }
}
