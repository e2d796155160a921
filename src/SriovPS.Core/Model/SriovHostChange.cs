namespace SriovPS;

/// <summary>
/// One host file a repair command (<c>Enable-SriovIommu</c>, <c>Repair-VfioAppArmor</c>) looked at or
/// changed: what it did to it, the lines before and after, the backup it kept, and whether the
/// change waits for a reboot.
/// </summary>
public sealed class SriovHostChange
{
    internal SriovHostChange(string path, bool changed, string summary, IReadOnlyList<string> before, IReadOnlyList<string> after, string? backupPath, bool rebootRequired)
    {
        Path = path;
        Changed = changed;
        Summary = summary;
        Before = [.. before];
        After = [.. after];
        BackupPath = backupPath;
        RebootRequired = rebootRequired;
    }

    /// <summary>The file as the host spells it: <c>/etc/default/grub</c>, or the GRUB configuration regenerated.</summary>
    public string Path { get; }

    /// <summary>Whether this command changed the file; false when it already said what was asked.</summary>
    public bool Changed { get; }

    /// <summary>What was done, or what the file already says.</summary>
    public string Summary { get; }

    /// <summary>The lines the change replaced or removed (empty for a new file or no change).</summary>
    public string[] Before { get; }

    /// <summary>The lines the change wrote in their place.</summary>
    public string[] After { get; }

    /// <summary>Where the previous version was kept; <c>null</c> when nothing was replaced.</summary>
    public string? BackupPath { get; }

    /// <summary>Whether the host must boot again before this takes effect (the kernel command line, the modules loaded at boot).</summary>
    public bool RebootRequired { get; }

    public override string ToString() => $"{Path}: {Summary}";
}
