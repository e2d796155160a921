using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;

namespace SriovPS.Readiness;

/// <summary>
/// What the readiness checks need from libvirt, read in one pass: whether it answered, its SR-IOV
/// pools judged against this host's PFs, and every guest's SR-IOV interfaces.
/// </summary>
internal sealed class LibvirtFacts
{
    private LibvirtFacts(string uri) => Uri = uri;

    public string Uri { get; }

    /// <summary>Why libvirt could not be asked; <c>null</c> when it answered.</summary>
    public SriovException? Failure { get; private init; }

    public LibvirtInventory? Inventory { get; private init; }

    public IReadOnlyList<LibvirtSriovNetwork> Pools { get; private init; } = [];

    public IReadOnlyList<VmSriovInterface> Interfaces { get; private init; } = [];

    /// <summary>Connects to <paramref name="uri"/> (the session's connection) and reads it; a failure is kept, not thrown.</summary>
    /// <param name="pfs">This host's PFs and their VFs, against which pools are judged; null for a remote URI.</param>
    public static LibvirtFacts Read(string uri, IReadOnlyList<PfVfAddresses>? pfs)
    {
        LibvirtInventory inventory;
        try
        {
            inventory = LibvirtInventory.Read(LibvirtSessions.Connect(uri));
        }
        catch (SriovException e)
        {
            return new LibvirtFacts(uri) { Failure = e };
        }
        catch (LibvirtException e)
        {
            return new LibvirtFacts(uri)
            {
                Failure = new SriovException(
                    ErrorCatalog.LibvirtOperationFailed,
                    $"Could not list the networks and guests of {uri}: {e.LibvirtMessage ?? e.Message}",
                    uri,
                    null,
                    e),
            };
        }

        return FromInventory(uri, inventory, pfs);
    }

    /// <summary>The facts of a libvirt that could not be read, for <paramref name="why"/>.</summary>
    public static LibvirtFacts Failed(string uri, SriovException why) => new(uri) { Failure = why };

    /// <summary>The facts of an inventory already read.</summary>
    public static LibvirtFacts FromInventory(string uri, LibvirtInventory inventory, IReadOnlyList<PfVfAddresses>? pfs)
    {
        var pools = inventory.Networks.Select(n => SriovNetworkReport.Describe(uri, n, inventory.Guests, pfs)).ToList();
        var interfaces = inventory.Guests.SelectMany(g => VmSriovInterfaceReport.Describe(uri, g, inventory, pools, pfs)).ToList();
        return new LibvirtFacts(uri) { Inventory = inventory, Pools = pools, Interfaces = interfaces };
    }
}
