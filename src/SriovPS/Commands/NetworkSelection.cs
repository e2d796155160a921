using System;
using System.Collections.Generic;
using SriovPS.Errors;
using SriovPS.Host;
using SriovPS.Libvirt;

namespace SriovPS.Commands;

/// <summary>Selects SR-IOV networks by name (wildcards allowed), reporting each literal name that matches none.</summary>
internal static class NetworkSelection
{
    internal static List<LibvirtSriovNetwork> Select(
        IReadOnlyList<LibvirtSriovNetwork> networks, string[]? names, Action<SriovException> report)
    {
        if (names is null)
        {
            return [.. networks];
        }

        var selected = new List<LibvirtSriovNetwork>();
        foreach (var name in names)
        {
            NamePattern pattern;
            try
            {
                pattern = NamePattern.Parse(name);
            }
            catch (SriovInvalidArgumentException e)
            {
                report(e);
                continue;
            }

            bool any = false;
            foreach (var network in networks)
            {
                if (pattern.IsMatch(network.Name))
                {
                    any = true;
                    if (!selected.Contains(network))
                    {
                        selected.Add(network);
                    }
                }
            }

            if (!any && !NamePattern.HasWildcards(name))
            {
                report(new SriovObjectNotFoundException(
                    ErrorCatalog.LibvirtNetworkNotFound,
                    $"There is no SR-IOV (hostdev) network '{name}' in libvirt.",
                    name,
                    "Run Get-LibvirtSriovNetwork to list them; networks of other kinds (NAT, bridge) are not shown."));
            }
        }

        return selected;
    }
}
