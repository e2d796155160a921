namespace SriovPS.Hosting;

/// <summary>
/// A change of one host file worked out before anything is written: its new text, the lines that
/// differ, and what it means; <see cref="Commit"/> writes it atomically, keeping the previous version.
/// </summary>
internal sealed class HostFileEdit
{
    public HostFileEdit(ConfigFile file, string? oldText, string newText, string summary, bool rebootRequired)
    {
        File = file;
        OldText = oldText;
        NewText = newText;
        Summary = summary;
        RebootRequired = rebootRequired;
        Hunks = Changes ? LineDiff.Compute(oldText, newText) : [];
    }

    public ConfigFile File { get; }

    public string? OldText { get; }

    public string NewText { get; }

    /// <summary>Whether the file would change; false when it already holds the new text byte for byte.</summary>
    public bool Changes => !string.Equals(OldText, NewText, StringComparison.Ordinal);

    /// <summary>What the change does, or what the file already says.</summary>
    public string Summary { get; }

    /// <summary>Whether the change (or the state the file was already in) waits for a reboot.</summary>
    public bool RebootRequired { get; }

    public IReadOnlyList<LineHunk> Hunks { get; }

    /// <summary>The change for ShouldProcess and -WhatIf: what it does, then the exact lines before and after.</summary>
    public string Action => (OldText is null ? "create: " : "") + Summary + "\n" + LineDiff.Render(Hunks);

    /// <summary>Writes the new text (temporary file, fsync, rename; owner, mode and a backup kept) and reports it.</summary>
    /// <exception cref="Errors.SriovException">The file is read-only or cannot be written; it is as it was.</exception>
    public SriovHostChange Commit()
    {
        if (!Changes)
        {
            return Report();
        }

        // Planned before a question was asked or the lock taken: someone may have written it since.
        if (!string.Equals(File.ReadText(), OldText, StringComparison.Ordinal))
        {
            throw new Errors.SriovException(
                Errors.ErrorCatalog.HostChangeInProgress,
                $"{File.HostPath} changed while this command waited, so it was left as it is now.",
                File.HostPath,
                "Run the command again.");
        }

        using (var prepared = File.Prepare(NewText))
        {
            prepared.Commit();
        }

        return new SriovHostChange(
            File.HostPath, true, Summary,
            Hunks.SelectMany(h => h.Before).ToList(), Hunks.SelectMany(h => h.After).ToList(),
            OldText is null ? null : File.BackupHostPath, RebootRequired);
    }

    /// <summary>Puts the old text back, or removes the file this edit created: a later step of a plan that rolls back failed.</summary>
    public void Restore() => File.PutBack(OldText);

    /// <summary>The file as it is, for a change that is not needed.</summary>
    public SriovHostChange Report() => new(File.HostPath, false, Summary, [], [], null, RebootRequired);
}
