using SriovPS.Libvirt;
using SriovPS.Snapshot;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Saves what SriovPS reads of this host — its SR-IOV files, the kernel's VF state, eswitch modes, VF holders and libvirt's SR-IOV networks and guests — as a snapshot every Get- and Test- command can read with -HostRoot.</para>
/// </summary>
[Cmdlet(VerbsData.Save, "SriovHostSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(SriovHostSnapshot))]
public sealed class SaveSriovHostSnapshotCommand : SriovCmdlet
{
    /// <summary>Where to save it: a file ending in .tar.gz or .tgz (one archive), else a directory.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The libvirt whose SR-IOV networks and guests are kept; <c>$env:LIBVIRT_DEFAULT_URI</c>, else <c>qemu:///system</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>Replaces a snapshot already at -Path. Other files are never replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path, out var provider, out _);
        if (provider.Name != "FileSystem")
        {
            ThrowSriovError(new SriovException(
                ErrorCatalog.InvalidSnapshotPath,
                $"-Path '{Path}' is on the {provider.Name} provider; a snapshot is written to the file system.",
                Path,
                "Give a file system path: a directory, or a file ending in .tar.gz or .tgz."));
        }

        HostSnapshotCapture capture;
        try
        {
            capture = HostSnapshotCapture.Take(Session, Uri ?? LibvirtUri.Default());
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
            return;
        }

        if (capture.Unread.Count > 0)
        {
            WriteWarning($"The snapshot lacks what could not be read: {string.Join("; ", capture.Unread)}.");
        }

        string host = TargetHost.HostName ?? TargetHost.Location;
        string action = $"Save a snapshot of {host}";
        string parts = string.Join("\n", capture.Parts().Select(p => "  " + p));
        if (!ShouldProcess(
            $"Performing the operation \"{action}\" on target \"{target}\", keeping:\n{parts}",
            $"Are you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{target}\".",
            "Confirm"))
        {
            return;
        }

        try
        {
            WriteObject(capture.Write(target, Force));
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }
    }
}
