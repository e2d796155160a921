using System.Collections.Generic;
using SriovPS.Errors;
using SriovPS.Host;

namespace SriovPS.Commands;

/// <summary>Turns -Name/-PfName arguments into patterns, reporting each invalid one before any file is read.</summary>
internal static class PfNameArguments
{
    /// <summary>
    /// The valid patterns among <paramref name="names"/>; <c>null</c> when no names were given (select all).
    /// An empty list means every name given was invalid, so nothing is selected.
    /// </summary>
    internal static List<NamePattern>? Parse(string[]? names, System.Action<SriovException> reportInvalid)
    {
        if (names is null || names.Length == 0)
        {
            return null;
        }

        var patterns = new List<NamePattern>(names.Length);
        foreach (var name in names)
        {
            try
            {
                InterfaceName.Validate(name);
                patterns.Add(NamePattern.Parse(name));
            }
            catch (SriovInvalidArgumentException e)
            {
                reportInvalid(e);
            }
        }

        return patterns;
    }
}
