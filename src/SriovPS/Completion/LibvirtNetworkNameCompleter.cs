using SriovPS.Libvirt;

namespace SriovPS.Completion;

/// <summary>Completes the names of the SR-IOV (hostdev) networks of the libvirt the command would use.</summary>
public sealed class LibvirtNetworkNameCompleter : LibvirtNameCompleter
{
    private protected override List<string> Names(LibvirtHost libvirt) => libvirt.SriovNetworkNames();
}
