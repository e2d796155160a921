using System.Collections.Generic;
using SriovPS.Errors;

namespace SriovPS.Host;

/// <summary>Which PFs a list of names and patterns selects, and which literal names matched nothing.</summary>
internal static class PfSelection
{
    /// <summary>
    /// The PFs selected by <paramref name="patterns"/> (all when none), in PF order without repeats,
    /// and one <see cref="SriovObjectNotFoundException"/> per literal name that matched no PF;
    /// a wildcard that matches nothing is not an error, as in PowerShell's own Get- commands.
    /// </summary>
    internal static (List<SriovPf> Selected, List<SriovException> Errors) Select(
        IReadOnlyList<SriovPf> pfs, IReadOnlyList<NamePattern>? patterns)
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
                if (pattern.IsMatch(pfs[i].Name))
                {
                    chosen[i] = true;
                    matched = true;
                }
            }

            if (!matched && !pattern.IsWildcard)
            {
                errors.Add(NotFound(pattern.Text));
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

    internal static SriovObjectNotFoundException NotFound(string name) =>
        new(ErrorCatalog.SriovPfNotFound,
            $"No SR-IOV physical function named '{name}' was found.",
            name,
            "Run Get-SriovPf to list the SR-IOV PFs; a NIC without SR-IOV, or whose driver is not bound, is not a PF.");
}
