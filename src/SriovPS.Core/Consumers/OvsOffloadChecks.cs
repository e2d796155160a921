using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Readiness;

namespace SriovPS.Consumers;

/// <summary>Whether a PF is ready for Open vSwitch hardware offload.</summary>
internal static class OvsOffloadChecks
{
    /// <summary>Adds the host-wide checks: Open vSwitch running, hw-offload on, the note on connection tracking.</summary>
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not asked (a copied host tree).</param>
    public static void Host(HostCheckList checks, string target, OvsFacts? ovs)
    {
    }

    /// <summary>Adds the OVS offload checks of one PF: switchdev, hw-tc-offload, its representors, its bridge.</summary>
    /// <param name="hwTcOffload">An interface's hw-tc-offload; <c>null</c> when not known.</param>
    /// <param name="ovs">Open vSwitch as read; <c>null</c> when it is not asked (a copied host tree).</param>
    public static void Run(HostCheckList checks, HostFileSystem files, SriovPf pf, Func<string, NetdevFeatureState?> hwTcOffload, OvsFacts? ovs)
    {
    }
}
