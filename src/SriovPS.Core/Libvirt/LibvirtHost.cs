using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>
/// A libvirt a command talks to: the session's connection to one URI (<see cref="LibvirtSessions"/>),
/// with libvirt's own failures turned into the module's errors here, never in a cmdlet.
/// </summary>
internal sealed class LibvirtHost
{
    private LibvirtHost(string uri, LibvirtConnection connection)
    {
        Uri = uri;
        Connection = connection;
    }

    public string Uri { get; }

    internal LibvirtConnection Connection { get; }

    /// <summary>The session's open connection to <paramref name="uri"/>.</summary>
    /// <exception cref="SriovException">libvirt is not installed (NotInstalled), or the connection failed (ConnectionError, PermissionDenied).</exception>
    public static LibvirtHost Connect(string uri) => new(uri, LibvirtSessions.Connect(uri));

    /// <summary>Every hostdev network and guest (or only the running ones), in one pass.</summary>
    /// <exception cref="SriovException">A listing failed (LibvirtOperationFailed).</exception>
    internal LibvirtInventory ReadInventory(bool runningOnly = false)
    {
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
        try
        {
            inventory.Refresh(Connection, vm);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForGuest(e, vm, "read the guest back");
        }
    }

    /// <summary>The names of the guests, running or not (for completion).</summary>
    /// <exception cref="SriovException">libvirt could not list them.</exception>
    public List<string> GuestNames()
    {
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
