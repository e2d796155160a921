using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using SriovPS.Snapshot;

namespace SriovPS.Commands;

/// <summary>
/// The one warning that a copied host tree lacks what only the running kernel and libvirt know, or that a
/// snapshot is read: given
/// once per command line (a pipeline, or a script run from one prompt) and tree, in each session, so
/// `Get-SriovPf | Get-SriovVf` or a loop over many PFs does not repeat it.
/// </summary>
internal static class CopiedTreeNotice
{
    private static readonly ConditionalWeakTable<Runspace, Shown> BySession = new();

    internal static void WarnOnce(PSCmdlet command, string root) => WarnOnce(command, root,
        $"'{root}' is a copied host tree: what only the running kernel and libvirt know (VF settings, owners) is left empty, " +
        "and changes to the kernel are shown (-WhatIf) but not made.");

    /// <summary>The one warning that a snapshot is read: whose, when, and what it lacks.</summary>
    internal static void WarnOnce(PSCmdlet command, HostSnapshot snapshot)
    {
        var manifest = snapshot.Manifest;
        string lacks = manifest.Unread.Length == 0 ? "" : " It lacks what could not be read then: " + string.Join("; ", manifest.Unread) + ".";
        WarnOnce(command, snapshot.Source,
            $"'{snapshot.Source}' is {snapshot.Description}, taken by SriovPS {manifest.ModuleVersion}: every value is as it was then, " +
            $"and nothing is changed (-WhatIf shows what would be).{lacks}");
    }

    private static void WarnOnce(PSCmdlet command, string root, string warning)
    {
        var session = Runspace.DefaultRunspace;
        if (session is not null)
        {
            var shown = BySession.GetOrCreateValue(session);
            lock (shown)
            {
                if (shown.CommandLine != command.MyInvocation.HistoryId)
                {
                    shown.CommandLine = command.MyInvocation.HistoryId;
                    shown.Roots.Clear();
                }

                if (!shown.Roots.Add(root))
                {
                    return;
                }
            }
        }

        command.WriteWarning(warning);
    }

    private sealed class Shown
    {
        public long CommandLine { get; set; } = long.MinValue;

        public HashSet<string> Roots { get; } = [];
    }
}
