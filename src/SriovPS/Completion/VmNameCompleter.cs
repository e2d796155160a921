using SriovPS.Libvirt;

namespace SriovPS.Completion;

/// <summary>Completes the names of the guests (domains, running or not) of the libvirt the command would use.</summary>
public sealed class VmNameCompleter : LibvirtNameCompleter
{
    private protected override List<string> Names(LibvirtHost libvirt) => libvirt.GuestNames();
}
