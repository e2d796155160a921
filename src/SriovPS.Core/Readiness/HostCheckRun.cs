using SriovPS.Consumers;
using SriovPS.Libvirt;
using SriovPS.Plans;

namespace SriovPS.Readiness;

/// <summary>
/// Test-SriovHost on a command's host: libvirt read once, the checks run (and run again after -Fix), and
/// the repairs the checks name planned as one plan.
/// </summary>
internal sealed class HostCheckRun
{
    private readonly HostSession _session;

    /// <param name="uri">The libvirt whose pools and guests are checked.</param>
    /// <param name="consumer">What the VFs are for: libvirt is read only for libvirt's guests, Open vSwitch only for its offload.</param>
    public HostCheckRun(HostSession session, string uri, SriovConsumer consumer = SriovConsumer.Libvirt)
    {
        _session = session;
        Uri = uri;
        Consumer = consumer;
        if (!ConsumerChecks.ReadsLibvirt(consumer))
        {
            Ovs = !ConsumerChecks.ReadsOvs(consumer) ? null
                : session.Host.IsLiveHost ? OvsFacts.Read(session.Cancellation)
                : session.Host.Snapshot?.Ovs();
            OvsUnknown = session.Host.Snapshot is null ? OvsOffloadChecks.NotAskedOnCopiedTree : OvsOffloadChecks.NotInSnapshot;
            return;
        }

        if (session.Host.Snapshot is { Manifest.LibvirtUri: not null } snapshot)
        {
            // Judged from what libvirt said when the snapshot was taken, or failed as it failed then.
            if (session.HostLibvirt() is { IsSaved: true } saved)
            {
                Uri = saved.Uri;
                Libvirt = LibvirtFacts.FromInventory(saved.Uri, saved.ReadInventory(), session.PfVfAddresses(session.AllPfs()));
            }
            else
            {
                Uri = snapshot.Manifest.LibvirtUri;
                Libvirt = LibvirtFacts.Failed(Uri, snapshot.NoLibvirt());
            }

            return;
        }

        if (!session.Host.IsLiveHost)
        {
            return;
        }

        bool remote = LibvirtUri.IsRemote(uri);
        if (remote)
        {
            session.Report.Warn($"{uri} names another machine: its pools and guests are checked, but the IOMMU, vfio, PF and configuration checks read this one.");
        }

        Libvirt = LibvirtFacts.Read(uri, remote ? null : session.PfVfAddresses(session.AllPfs()));
        session.Report.Note(Libvirt.Failure is null ? $"Read libvirt at {uri}." : $"libvirt at {uri} could not be read: {Libvirt.Failure.Message}");
    }

    public string Uri { get; }

    public SriovConsumer Consumer { get; }

    /// <summary>Open vSwitch as read for an OvsOffload run; <c>null</c> for other consumers and on a copied host tree.</summary>
    public OvsFacts? Ovs { get; }

    /// <summary>Why <see cref="Ovs"/> is <c>null</c> on an OvsOffload run.</summary>
    public string OvsUnknown { get; } = OvsOffloadChecks.NotAskedOnCopiedTree;

    /// <summary>libvirt as read for this run; <c>null</c> on a copied host tree, where it is not asked.</summary>
    public LibvirtFacts? Libvirt { get; }

    /// <summary>Whether libvirt was read, so its pools are known (and -Network can narrow them).</summary>
    public bool PoolsKnown => Libvirt is { Failure: null };

    /// <summary>Every check, failures first, narrowed to <paramref name="selectedPfs"/> and <paramref name="networks"/> when given.</summary>
    public List<SriovHostCheck> Run(IReadOnlyList<SriovPf>? selectedPfs, IReadOnlyCollection<string>? networks) =>
        HostReadiness.Run(new HostReadinessInput
        {
            Files = _session.Files,
            Pfs = _session.AllPfs(),
            SelectedPfs = selectedPfs,
            SelectedNetworks = networks,
            VfsOf = _session.VfsOf,
            Libvirt = Libvirt,
            Uri = Uri,
            HostName = _session.Host.HostName ?? _session.Host.Location,
            Location = _session.Host.Location,
            WholeHost = _session.Host.IsLiveHost || _session.Host.Snapshot?.Manifest.KernelRead == true,
            Consumer = Consumer,
            VfSettingsKnown = _session.KernelKnown,
            Ovs = Ovs,
            OvsUnknown = OvsUnknown,
            HwTcOffload = name => _session.NetdevFeatures?.HwTcOffload(name),
        });

    /// <summary>The repairs <paramref name="checks"/> name, as one plan; <c>null</c> (noted) when they name none.</summary>
    public ChangePlan? Fixes(IEnumerable<SriovHostCheck> checks)
    {
        var repairs = HostRepairs.Named(checks);
        if (repairs.Count == 0)
        {
            _session.Report.Note("No check names a remedy SriovPS can make.");
            return null;
        }

        var poolGroups = PoolsKnown && !LibvirtUri.IsRemote(Uri)
            ? HostReadiness.GroupsInUse(_session.AllPfs(), Libvirt!.Pools, _session.VfsOf)
            : null;
        return new HostRepairs(_session)
            .For(repairs, poolGroups, name => _session.AllPfs(includeNotCapable: true).Find(p => p.Name == name)?.Driver);
    }
}
