using System.Collections.Generic;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Native.Libvirt;

namespace SriovPS.Completion;

/// <summary>Completes the names of the SR-IOV (hostdev) networks of the libvirt the command would use.</summary>
public sealed class LibvirtNetworkNameCompleter : LibvirtNameCompleter
{
    private protected override List<string> Names(LibvirtConnection connection) =>
        LibvirtInventory.Read(connection, runningOnly: false).Networks.Select(n => n.Name).ToList();
}
