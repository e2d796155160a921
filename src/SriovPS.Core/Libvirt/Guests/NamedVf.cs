using SriovPS.Values;

namespace SriovPS.Libvirt.Guests;

/// <summary>The fixed VF a guest is given by its PF's name and its index (<c>-PfName eno49 -Index 0</c>).</summary>
internal static class NamedVf
{
    /// <summary>The VF as the host has it now; null when no PF has that name (reported to the session).</summary>
    /// <exception cref="SriovException">
    /// The PF or the index is missing (InvalidVmInterfaceArgument), the name is a pattern
    /// (InvalidInterfaceName), or the PF has no such VF (SriovVfNotFound).
    /// </exception>
    internal static SriovVf? Find(HostSession session, string vmName, string? pfName, int? index)
    {
        if (pfName is null || index is null)
        {
            throw new SriovException(
                ErrorCatalog.InvalidVmInterfaceArgument,
                $"No VF was given for the guest '{vmName}': give -Network for a pool interface, or a fixed VF with -Vf (or from Get-SriovVf through the pipeline) or with -PfName and -Index.",
                vmName,
                "Get-SriovVf -PfName eno49 -Index 0 | Add-VmSriovInterface -VmName <guest>");
        }

        if (NamePattern.HasWildcards(pfName))
        {
            throw new SriovException(
                ErrorCatalog.InvalidInterfaceName,
                $"-PfName '{pfName}' is a wildcard pattern, but a fixed VF is on one PF.",
                pfName,
                "Name the PF itself, or pipe the VFs from Get-SriovVf.");
        }

        foreach (var pf in session.SelectPfs([pfName]))
        {
            if (session.VfsOf(pf).Find(v => v.Index == index) is { } vf)
            {
                return vf;
            }

            throw new SriovException(
                ErrorCatalog.SriovVfNotFound,
                $"{pf.Name} has no VF {index} (it has {pf.NumVfs}).",
                $"{pf.Name} vf {index}",
                $"Get-SriovVf -PfName {pf.Name} lists its VFs.");
        }

        // SelectPfs has reported the name that matches no PF.
        return null;
    }
}
