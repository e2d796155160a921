using SriovPS.Values;

namespace SriovPS.Commands;

/// <summary>Selects objects by name (wildcards allowed), reporting each literal name that matches none.</summary>
internal static class NameSelection
{
    /// <param name="notFound">The error for a literal name that matches nothing.</param>
    internal static List<T> Select<T>(
        IReadOnlyList<T> items, Func<T, string> nameOf, string[]? names, Func<string, SriovException> notFound, Action<SriovException> report)
        where T : class
    {
        if (names is null)
        {
            return [.. items];
        }

        var selected = new List<T>();
        foreach (var name in names)
        {
            NamePattern pattern;
            try
            {
                pattern = NamePattern.Parse(name);
            }
            catch (SriovException e) when (e.Category == SriovErrorCategory.InvalidArgument)
            {
                report(e);
                continue;
            }

            bool any = false;
            foreach (var item in items)
            {
                if (pattern.IsMatch(nameOf(item)))
                {
                    any = true;
                    if (!selected.Contains(item))
                    {
                        selected.Add(item);
                    }
                }
            }

            if (!any && !NamePattern.HasWildcards(name))
            {
                report(notFound(name));
            }
        }

        return selected;
    }

    /// <summary>SR-IOV networks by name.</summary>
    internal static List<LibvirtSriovNetwork> Networks(IReadOnlyList<LibvirtSriovNetwork> networks, string[]? names, Action<SriovException> report) =>
        Select(networks, n => n.Name, names, name => new SriovException(
            ErrorCatalog.LibvirtNetworkNotFound,
            $"There is no SR-IOV (hostdev) network '{name}' in libvirt.",
            name,
            "Run Get-LibvirtSriovNetwork to list them; networks of other kinds (NAT, bridge) are not shown."), report);
}
