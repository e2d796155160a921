using System.Collections.Generic;
using SriovPS.Native.Libvirt;

namespace SriovPS.Completion;

/// <summary>Completes the names of the guests (domains, running or not) of the libvirt the command would use.</summary>
public sealed class VmNameCompleter : LibvirtNameCompleter
{
    private protected override List<string> Names(LibvirtConnection connection)
    {
        var names = new List<string>();
        foreach (var domain in connection.ListDomains())
        {
            using (domain)
            {
                names.Add(domain.Name);
            }
        }

        return names;
    }
}
