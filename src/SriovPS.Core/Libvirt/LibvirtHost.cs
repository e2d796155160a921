using System.Xml.Linq;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>
/// A libvirt a command talks to: the session's connection to one URI (<see cref="LibvirtSessions"/>),
/// with libvirt's own failures turned into the module's errors here, never in a cmdlet.
/// </summary>
internal sealed class LibvirtHost
{
    private readonly LibvirtConnection? _connection;
    private readonly LibvirtInventory? _saved;
    private readonly string? _snapshot;

    private LibvirtHost(string uri, LibvirtConnection? connection, LibvirtInventory? saved = null, string? snapshot = null)
    {
        Uri = uri;
        _connection = connection;
        _saved = saved;
        _snapshot = snapshot;
    }

    public string Uri { get; }

    /// <summary>Whether this is the libvirt a snapshot holds, which is read but never changed.</summary>
    public bool IsSaved => _saved is not null;

    /// <exception cref="SriovException">SnapshotReadOnly: this is a snapshot's libvirt.</exception>
    internal LibvirtConnection Connection => _connection ?? throw new SriovException(
        ErrorCatalog.SnapshotReadOnly,
        $"The libvirt of the snapshot '{_snapshot}' is a record of {Uri}: it is read, never changed.",
        _snapshot,
        "Run the command on the host itself, without -HostRoot and $env:SRIOVPS_HOST_ROOT.");

    /// <summary>The libvirt a snapshot holds: its inventory as it was read, at <paramref name="uri"/>.</summary>
    public static LibvirtHost Saved(string uri, LibvirtInventory inventory, string snapshot) => new(uri, null, inventory, snapshot);

    /// <summary>The session's open connection to <paramref name="uri"/>.</summary>
    /// <exception cref="SriovException">libvirt is not installed (NotInstalled), or the connection failed (ConnectionError, PermissionDenied).</exception>
    public static LibvirtHost Connect(string uri) => new(uri, LibvirtSessions.Connect(uri));

    /// <summary>Every hostdev network and guest (or only the running ones), in one pass.</summary>
    /// <exception cref="SriovException">A listing failed (LibvirtOperationFailed).</exception>
    internal LibvirtInventory ReadInventory(bool runningOnly = false)
    {
        if (_saved is not null)
        {
            return _saved;
        }

        try
        {
            return LibvirtInventory.Read(Connection, runningOnly);
        }
        catch (LibvirtException e)
        {
            throw new SriovException(
                ErrorCatalog.LibvirtOperationFailed,
                $"Could not list the networks and guests of {Uri}: {e.LibvirtMessage ?? e.Message}",
                Uri,
                null,
                e);
        }
    }

    /// <summary>Reads the guest <paramref name="vm"/> of <paramref name="inventory"/> again after a change to it.</summary>
    /// <exception cref="SriovException">The guest could not be read.</exception>
    internal void RefreshGuest(LibvirtInventory inventory, string vm)
    {
        if (_saved is not null)
        {
            // A snapshot's guests are as they were: nothing changed them.
            return;
        }

        try
        {
            inventory.Refresh(Connection, vm);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, vm, "read the guest back");
        }
    }

    /// <summary>
    /// The network called <paramref name="name"/>, of any kind: its persistent definition (its live one when
    /// transient), and whether it runs and starts with libvirtd; null when there is none. A snapshot knows
    /// only the names of networks that are not pools, which stand as definitions with no forward mode.
    /// </summary>
    /// <exception cref="SriovException">libvirt could not read it.</exception>
    internal (string Definition, bool Active, bool Autostart)? FindNetwork(string name)
    {
        if (_saved is not null)
        {
            return _saved.Network(name) is { } pool ? (pool.Xml?.Definition ?? pool.Xml?.Running ?? "<network/>", pool.Active, pool.Autostart)
                : _saved.NetworkNames.Contains(name) ? (new XElement("network", new XElement("name", name)).ToString(), false, false)
                : null;
        }

        return SriovNetworkDefinition.Find(Connection, name);
    }

    /// <summary>The names of the guests, running or not (for completion).</summary>
    /// <exception cref="SriovException">libvirt could not list them.</exception>
    public List<string> GuestNames()
    {
        if (_saved is not null)
        {
            return _saved.Guests.Select(g => g.Name).ToList();
        }

        var names = new List<string>();
        try
        {
            foreach (var domain in Connection.ListDomains())
            {
                using (domain)
                {
                    names.Add(domain.Name);
                }
            }
        }
        catch (LibvirtException e)
        {
            throw new SriovException(ErrorCatalog.LibvirtOperationFailed, $"Could not list the guests of {Uri}: {e.LibvirtMessage ?? e.Message}", Uri, null, e);
        }

        return names;
    }

    /// <summary>The names of the SR-IOV (hostdev) networks (for completion).</summary>
    /// <exception cref="SriovException">libvirt could not list them.</exception>
    public List<string> SriovNetworkNames() => ReadInventory().Networks.Select(n => n.Name).ToList();
}
