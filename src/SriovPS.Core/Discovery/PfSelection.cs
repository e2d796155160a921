using SriovPS.Values;

namespace SriovPS.Discovery;

/// <summary>What a PF is selected by: its interface name or its PCI address.</summary>
internal enum PfKey
{
    Name,
    PciAddress,
}

/// <summary>Which PFs a list of names, addresses or patterns selects, and which literal ones matched nothing.</summary>
internal static class PfSelection
{
    /// <summary>
    /// The PFs selected by <paramref name="patterns"/> (all when there are none), in PF order without
    /// repeats, and one <see cref="SriovException"/> per literal value that matched no PF;
    /// a wildcard that matches nothing is not an error, as in PowerShell's own Get- commands.
    /// </summary>
    internal static (List<SriovPf> Selected, List<SriovException> Errors) Select(
        IReadOnlyList<SriovPf> pfs, IReadOnlyList<NamePattern>? patterns, PfKey key = PfKey.Name)
    {
        var errors = new List<SriovException>();
        if (patterns is null || patterns.Count == 0)
        {
            return (new List<SriovPf>(pfs), errors);
        }

        var chosen = new bool[pfs.Count];
        foreach (var pattern in patterns)
        {
            bool matched = false;
            for (int i = 0; i < pfs.Count; i++)
            {
                if (pattern.IsMatch(key == PfKey.Name ? pfs[i].Name : pfs[i].PciAddress))
                {
                    chosen[i] = true;
                    matched = true;
                }
            }

            if (!matched && !pattern.IsWildcard)
            {
                errors.Add(key == PfKey.Name ? NotFound(pattern.Text) : NotFoundAt(pattern.Text));
            }
        }

        var selected = new List<SriovPf>();
        for (int i = 0; i < pfs.Count; i++)
        {
            if (chosen[i])
            {
                selected.Add(pfs[i]);
            }
        }

        return (selected, errors);
    }

    /// <summary>The PFs whose driver matches one of <paramref name="drivers"/> (all when there are none).</summary>
    internal static List<SriovPf> WithDriver(List<SriovPf> pfs, IReadOnlyList<NamePattern>? drivers)
    {
        if (drivers is null || drivers.Count == 0)
        {
            return pfs;
        }

        return pfs.FindAll(pf => drivers.Any(d => d.IsMatch(pf.Driver)));
    }

    internal static SriovException NotFound(string name) =>
        new(ErrorCatalog.SriovPfNotFound,
            $"No SR-IOV physical function named '{name}' was found.",
            name,
            "Run Get-SriovPf to list the SR-IOV PFs, or Get-SriovPf -IncludeNotCapable to see network functions without SR-IOV too. A VF's interface is not a PF.");

    internal static SriovException NotFoundAt(string address) =>
        new(ErrorCatalog.SriovPfNotFound,
            $"No SR-IOV physical function is at PCI address '{address}'.",
            address,
            "Run Get-SriovPf to list the SR-IOV PFs and their PCI addresses; a VF's address is not a PF's.");
}
