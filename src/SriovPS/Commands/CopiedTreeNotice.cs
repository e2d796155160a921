using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace SriovPS.Commands;

/// <summary>
/// The one warning that a copied host tree lacks what only the running kernel and libvirt know: given
/// once per command line (a pipeline, or a script run from one prompt) and tree, in each session, so
/// `Get-SriovPf | Get-SriovVf` or a loop over many PFs does not repeat it.
/// </summary>
internal static class CopiedTreeNotice
{
    private static readonly ConditionalWeakTable<Runspace, Shown> BySession = new();

    internal static void WarnOnce(PSCmdlet command, string root)
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

        command.WriteWarning(
            $"'{root}' is a copied host tree: what only the running kernel and libvirt know (VF settings, owners) is left empty, " +
            "and changes to the kernel are shown (-WhatIf) but not made.");
    }

    private sealed class Shown
    {
        public long CommandLine { get; set; } = long.MinValue;

        public HashSet<string> Roots { get; } = [];
    }
}
