using SriovPS.Native.Files;
using SriovPS.Persistence.NetworkFiles;

namespace SriovPS.Persistence;

/// <summary>
/// What persisting a PF's link state and MTU in the host's network configuration would do, worked out
/// before anything is written: the PF's own file for the manager in charge, its new text, and whether
/// that changes anything (the same text is not written again). A file at that path that the writer
/// does not recognise as its own is refused, never replaced.
/// </summary>
internal sealed class PfNetworkPersistence
{
    private readonly PfNetworkWriter _writer;

    private PfNetworkPersistence(
        PfNetworkWriter writer, ConfigFile file, PfNetworkSettings settings, PfNetworkSettings? existing, string? previousText, string text, string? warning, PfNetworkConflicts? kept)
    {
        Kept = kept;
        PreviousText = previousText;
        _writer = writer;
        File = file;
        Settings = settings;
        Existing = existing;
        Text = text;
        Warning = warning;
    }

    public HostNetworkManager Manager => _writer.Manager;

    /// <summary>The other configurations the file keeps; <c>null</c> when it is the interface's only one.</summary>
    public PfNetworkConflicts? Kept { get; }

    /// <summary>The PF's file, created with the manager's mode and backed up where the manager will not read it.</summary>
    public ConfigFile File { get; }

    /// <summary>The settings the file will hold.</summary>
    public PfNetworkSettings Settings { get; }

    /// <summary>The settings the file holds now; <c>null</c> when there is no file.</summary>
    public PfNetworkSettings? Existing { get; }

    /// <summary>The file's text when planned; <c>null</c> when there was no file.</summary>
    public string? PreviousText { get; }

    /// <summary>Whether the file would change; false when it already holds <see cref="Text"/> byte for byte.</summary>
    public bool Changes => !string.Equals(PreviousText, Text, StringComparison.Ordinal);

    /// <summary>The file's new text.</summary>
    public string Text { get; }

    /// <summary>
    /// Why the file would have no effect at boot, for the caller to warn about; <c>null</c> when nothing
    /// is known against it. Today: ifupdown's <c>/etc/network/interfaces</c> does not source the file.
    /// </summary>
    public string? Warning { get; }

    /// <summary>
    /// The change for -WhatIf: <c>write /etc/netplan/60-sriovps-eno49.yaml: up, no address, MTU 9000</c>,
    /// or what the file already says when nothing changes.
    /// </summary>
    public string Description => Changes
        ? $"write {File.HostPath}: {Summary}"
        : $"{File.HostPath} already says: {Summary}";

    private string Summary => Kept is null
        ? Settings.Summary
        : Settings.Summary.Replace("no address", "the link only, keeping " + string.Join(", ", Kept.Found.Where(f => f.HostPath is not null && f.Manager == Manager).Select(f => f.HostPath).Distinct()), StringComparison.Ordinal);

    /// <summary>
    /// The settings to persist when a caller gives only some: what it gives, else what the file holds,
    /// else the defaults (the link comes up; the MTU is left to the driver).
    /// </summary>
    public static PfNetworkSettings Merge(PfNetworkSettings? existing, string interfaceName, bool? up, int? mtu, bool? hwTcOffload = null)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        if (existing is not null && !string.Equals(existing.InterfaceName, interfaceName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The settings read are {existing.InterfaceName}'s, not {interfaceName}'s.", nameof(existing));
        }

        return new PfNetworkSettings(interfaceName, up ?? existing?.Up ?? true, mtu ?? existing?.Mtu, hwTcOffload ?? existing?.HwTcOffload);
    }

    /// <summary>What the PF's file for <paramref name="manager"/> holds now; <c>null</c> when there is none.</summary>
    /// <exception cref="SriovException">A file is there that the module did not write (<see cref="ErrorCatalog.NetworkConfigNotOwned"/>).</exception>
    /// <exception cref="SriovException">It cannot be read.</exception>
    public static PfNetworkSettings? ReadExisting(HostFileSystem files, HostNetworkManager manager, string interfaceName, PfNetworkConflicts? others = null)
    {
        var writer = PfNetworkWriter.For(manager);
        return Read(writer, writer.FileFor(files, interfaceName, others), interfaceName, others).Existing;
    }

    /// <summary>The plan for persisting exactly <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The manager is <see cref="HostNetworkManager.None"/>, or the settings are refused.</exception>
    /// <exception cref="SriovException">A file is at the PF's path that the module did not write (<see cref="ErrorCatalog.NetworkConfigNotOwned"/>).</exception>
    /// <exception cref="SriovException">The file or <c>/etc/network/interfaces</c> cannot be read.</exception>
    /// <exception cref="SriovException">
    /// <paramref name="others"/> cannot be kept by any file that says <paramref name="settings"/> (<see cref="ErrorCatalog.NetworkConfigConflict"/>).
    /// </exception>
    public static PfNetworkPersistence Plan(HostFileSystem files, HostNetworkManager manager, PfNetworkSettings settings, PfNetworkConflicts? others = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var writer = PfNetworkWriter.For(manager);
        if (others is { Any: true } && writer.CannotKeep(files, settings, others) is string reason)
        {
            throw others.CannotKeep(reason);
        }

        var kept = writer.Keeps(others) ? others : null;
        string text = writer.Render(settings, kept);
        var file = writer.FileFor(files, settings.InterfaceName, kept);
        var (current, existing) = Read(writer, file, settings.InterfaceName, kept);
        string? warning = writer is IfupdownPfWriter ifupdown && !ifupdown.IsSourced(files, settings.InterfaceName)
            ? $"{IfupdownPfWriter.InterfacesHostPath} does not source {file.HostPath}, so ifupdown will not read it at boot: " +
              $"add 'source {writer.Directory}/*' to {IfupdownPfWriter.InterfacesHostPath}."
            : null;
        return new PfNetworkPersistence(writer, file, settings, existing, current, text, warning, kept);
    }

    /// <summary>
    /// The plan for persisting what the caller gives (<c>null</c>: keep what the file holds), merged
    /// with the file as read by <see cref="Merge"/>. <paramref name="others"/>, when given, are the other
    /// configurations of the interface the caller was told to write beside: the file then keeps what they set.
    /// </summary>
    /// <exception cref="ArgumentException">The manager is <see cref="HostNetworkManager.None"/>, or the settings are refused.</exception>
    /// <exception cref="SriovException">A file is at the PF's path that the module did not write (<see cref="ErrorCatalog.NetworkConfigNotOwned"/>).</exception>
    /// <exception cref="SriovException">The file or <c>/etc/network/interfaces</c> cannot be read.</exception>
    public static PfNetworkPersistence Plan(
        HostFileSystem files, HostNetworkManager manager, string interfaceName, bool? up, int? mtu, PfNetworkConflicts? others = null, bool? hwTcOffload = null)
    {
        var kept = PfNetworkWriter.For(manager).Keeps(others) ? others : null;
        return Plan(files, manager, Merge(ReadExisting(files, manager, interfaceName, kept), interfaceName, up, mtu, hwTcOffload), others);
    }

    /// <summary>Writes the file when it changes (atomically, the previous version kept); returns whether it wrote.</summary>
    /// <exception cref="SriovException">The file is read-only, permission is denied, or the write failed; the file is as it was.</exception>
    public bool Commit()
    {
        if (!Changes)
        {
            return false;
        }

        using var prepared = Prepare();
        prepared.Commit();
        return true;
    }

    /// <summary>
    /// Writes the new text beside the file without putting it in place: the attempt is the check that
    /// the file may be replaced, made before anything else changes.
    /// </summary>
    /// <exception cref="SriovException">The file is read-only, permission is denied, or the write failed; the file is as it was.</exception>
    public PreparedConfigFile Prepare() => File.Prepare(Text);

    /// <summary>Puts the text the file had when planned back, or removes the file when there was none.</summary>
    /// <exception cref="SriovException">The file is read-only or cannot be written.</exception>
    public void Restore() => File.PutBack(PreviousText);

    private static (string? Text, PfNetworkSettings? Existing) Read(PfNetworkWriter writer, ConfigFile file, string interfaceName, PfNetworkConflicts? kept)
    {
        string? text = file.ReadText();
        if (text is null)
        {
            return (null, null);
        }

        return (text, writer.Parse(text, interfaceName, kept) ?? throw new SriovException(
            ErrorCatalog.NetworkConfigNotOwned,
            $"{file.HostPath} was not written by SriovPS, or was changed since, so it was left as it is.",
            file.HostPath,
            $"Move {file.HostPath} away if SriovPS may manage {interfaceName}'s network configuration, or leave out -Persist."));
    }
}
