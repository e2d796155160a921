using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;

namespace SriovPS.Commands;

/// <summary>
/// What the libvirt commands share: <c>-Uri</c>, the session's connection to it (opened once per URI
/// and kept), and the end of the command when libvirt is not installed or cannot be reached.
/// </summary>
public abstract class LibvirtCmdlet : SriovCmdlet
{
    private LibvirtHost? _libvirt;

    /// <summary>The libvirt to work on; <c>$env:LIBVIRT_DEFAULT_URI</c>, else <c>qemu:///system</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>The URI this command works on: on a snapshot, the one it was read at.</summary>
    private protected string ConnectionUri => _libvirt?.IsSaved == true ? _libvirt.Uri : Uri ?? LibvirtUri.Default();

    /// <summary>The libvirt at <see cref="ConnectionUri"/>, connected.</summary>
    private protected LibvirtHost Libvirt => _libvirt!;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (TargetHost.Snapshot is { } snapshot)
        {
            // The libvirt the snapshot holds, read as it was; a snapshot taken without libvirt ends the command as libvirt's absence would.
            _libvirt = Session.HostLibvirt();
            if (_libvirt is null)
            {
                ThrowSriovError(snapshot.NoLibvirt("Take the snapshot again while libvirtd runs, as root."));
            }

            if (Uri is not null && Uri != _libvirt!.Uri)
            {
                WriteWarning($"-Uri {Uri} is not what the snapshot holds: it holds libvirt at {_libvirt.Uri}, which is read instead.");
            }

            return;
        }

        try
        {
            // Without libvirt (or libvirtd) no item could be served: that ends the command.
            _libvirt = LibvirtHost.Connect(ConnectionUri);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        WriteVerbose($"Connected to libvirt at {ConnectionUri}.");
    }

    /// <summary>Objects read through a remote URI were read on the machine it names.</summary>
    private protected override string? OriginName => LibvirtUri.RemoteHost(ConnectionUri) ?? base.OriginName;

    /// <summary>Objects from the machine a remote URI names belong to it; others are judged as in any command.</summary>
    private protected override bool IsThisHost(string computer, out string here)
    {
        if (LibvirtUri.RemoteHost(ConnectionUri) is not { } remote)
        {
            return base.IsThisHost(computer, out here);
        }

        here = $"the libvirt of '{remote}' ({ConnectionUri})";
        return HostContext.SameMachine(remote, computer);
    }

    /// <summary>
    /// Every hostdev network and guest of the connection, in one pass; a libvirt failure ends the
    /// command, since nothing could be judged without them.
    /// </summary>
    private protected LibvirtInventory ReadInventory()
    {
        try
        {
            return Libvirt.ReadInventory();
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
            throw;
        }
    }

    /// <summary>
    /// This host's PFs and their VFs, against which pools are judged; null when the URI names
    /// another machine, whose PFs cannot be read from here (a running pool's own list counts then).
    /// </summary>
    private protected List<PfVfAddresses>? PoolPfs()
    {
        if (LibvirtUri.IsRemote(ConnectionUri))
        {
            return null;
        }

        return Session.PfVfAddresses(Session.AllPfs());
    }

    /// <summary>The report of each hostdev network in <paramref name="inventory"/>.</summary>
    private protected List<LibvirtSriovNetwork> Describe(LibvirtInventory inventory)
    {
        var pfs = PoolPfs();
        var networks = new List<LibvirtSriovNetwork>(inventory.Networks.Count);
        foreach (var network in inventory.Networks)
        {
            networks.Add(SriovNetworkReport.Describe(ConnectionUri, network, inventory.Guests, pfs));
        }

        return networks;
    }
}
