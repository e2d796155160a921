using System.IO;
using SriovPS.Native;
using SriovPS.Native.Files;

namespace SriovPS.Hosting;

/// <summary>
/// A host configuration file the module edits (udev rules, and later grub, modules-load.d, AppArmor,
/// network configuration): read whole, changed by an editor that keeps every line it does not own,
/// and written back atomically with its owner and mode, the previous version kept as
/// <c>NAME.sriovps.bak</c>. A file whose mode has no write bit is treated as read-only even for root:
/// someone marked it so.
/// </summary>
/// <param name="files">The host the path is on.</param>
/// <param name="hostPath">The file as the host spells it.</param>
/// <param name="newFileMode">The mode of the file when it does not exist yet; an existing file keeps its own.</param>
/// <param name="backupHostPath">
/// Where the previous version is kept, for a directory whose reader would take <c>NAME.sriovps.bak</c>
/// for configuration too; <c>null</c> for <c>NAME.sriovps.bak</c>.
/// </param>
internal sealed class ConfigFile(
    HostFileSystem files, string hostPath, uint newFileMode = ReplacementFile.NewFileMode, string? backupHostPath = null)
{
    /// <summary>Appended to the file's name for the copy of its previous version.</summary>
    public const string BackupSuffix = ".sriovps.bak";

    private const uint WriteBits = 0b010_010_010;

    /// <summary>The path as the host spells it, <c>/etc/udev/rules.d/70-sriovps.rules</c>.</summary>
    public string HostPath { get; } = hostPath;

    /// <summary>Where the previous version is kept.</summary>
    public string BackupHostPath { get; } = backupHostPath ?? hostPath + BackupSuffix;

    /// <summary>The mode a new file is created with (0644 unless the constructor said otherwise).</summary>
    public uint NewFileMode { get; } = newFileMode;

    /// <summary>
    /// The file's text, or <c>null</c> when it does not exist; bytes that are not UTF-8 are kept as
    /// <see cref="ConfigText"/> says, so that <see cref="Prepare"/> writes every line not changed byte for byte.
    /// </summary>
    /// <exception cref="SriovException">It exists but cannot be read, is not a file, or leads out of a copied tree.</exception>
    public string? ReadText()
    {
        int errno = files.ReadAll(HostPath, out byte[]? content);
        if (errno == 0)
        {
            return ConfigText.Decode(content!);
        }

        // A component that is a file (ENOTDIR) also means there is no such file.
        if (errno is Errno.ENOENT or Errno.ENOTDIR)
        {
            return null;
        }

        throw Failure(errno, "read");
    }

    /// <summary>
    /// Writes <paramref name="text"/> to a temporary file beside the file, after checking by attempt
    /// that the file may be replaced; nothing visible changes until <see cref="PreparedConfigFile.Commit"/>.
    /// </summary>
    /// <exception cref="SriovException">The file is read-only, permission is denied, or the write failed; the file is untouched.</exception>
    public PreparedConfigFile Prepare(string text)
    {
        var directory = OpenDirectory(HostPath, create: true);
        SafeFileDescriptor? backupDirectory = null;
        try
        {
            string name = Path.GetFileName(HostPath);
            int statError = ReplacementFile.Stat(directory, name, out uint owner, out uint group, out uint mode);
            bool exists = statError == 0;
            if (statError is not 0 and not Errno.ENOENT)
            {
                throw Failure(statError, "read the owner and mode of");
            }

            if (exists)
            {
                CheckWritable(directory, mode);
                backupDirectory = SameDirectory(BackupHostPath) ? null : OpenDirectory(BackupHostPath, create: false);
            }

            int errno = ReplacementFile.Prepare(
                directory,
                name,
                ConfigText.Encode(text),
                exists ? (owner, group) : null,
                exists ? mode : NewFileMode,
                out var replacement,
                out string? step);
            if (errno != 0)
            {
                throw Failure(errno, $"write ({step}) the new version of");
            }

            var prepared = new PreparedConfigFile(this, replacement!, directory, exists ? backupDirectory ?? directory : null, Path.GetFileName(BackupHostPath), backupDirectory);
            directory = null;
            backupDirectory = null;
            return prepared;
        }
        finally
        {
            directory?.Dispose();
            backupDirectory?.Dispose();
        }
    }

    /// <summary>Puts <paramref name="text"/> back as the file's content, or removes the file when it had none (did not exist): a change taken back.</summary>
    /// <exception cref="SriovException">The file cannot be written or removed.</exception>
    public void PutBack(string? text)
    {
        if (text is null)
        {
            Remove();
            return;
        }

        using var prepared = Prepare(text);
        prepared.Commit();
    }

    /// <summary>Removes the file, keeping it as the backup; nothing happens when it does not exist.</summary>
    /// <exception cref="SriovException">The file is read-only or cannot be removed; it is untouched.</exception>
    public void Remove()
    {
        using var directory = TryOpenDirectory();
        if (directory is null)
        {
            return;
        }

        string name = Path.GetFileName(HostPath);
        int statError = ReplacementFile.Stat(directory, name, out _, out _, out uint mode);
        if (statError == Errno.ENOENT)
        {
            return;
        }

        if (statError != 0)
        {
            throw Failure(statError, "read the owner and mode of");
        }

        CheckWritable(directory, mode);
        using var backupDirectory = SameDirectory(BackupHostPath) ? null : OpenDirectory(BackupHostPath, create: false);
        int errno = ReplacementFile.RemoveKeepingBackup(directory, name, backupDirectory ?? directory, Path.GetFileName(BackupHostPath));
        if (errno != 0)
        {
            throw Failure(errno, "remove");
        }
    }

    /// <summary>Checks, by trying, that the existing file may be replaced or removed; nothing when it does not exist.</summary>
    /// <exception cref="SriovException">It is read-only, not a file, cannot be opened for writing, or leads out of a copied tree.</exception>
    public void CheckWritable()
    {
        using var directory = TryOpenDirectory();
        if (directory is null)
        {
            return;
        }

        int statError = ReplacementFile.Stat(directory, Path.GetFileName(HostPath), out _, out _, out uint mode);
        if (statError == 0)
        {
            CheckWritable(directory, mode);
        }
        else if (statError != Errno.ENOENT)
        {
            throw Failure(statError, "read the owner and mode of");
        }
    }

    private void CheckWritable(SafeFileDescriptor directory, uint mode)
    {
        if ((mode & ReplacementFile.FileTypeMask) == HostFileSystem.DirectoryType)
        {
            throw HostPathErrors.WrongType(HostPath, "it is a directory, not a file", "change");
        }

        // A link or device would be replaced by a file with the link's own mode (0777), or not at all.
        if ((mode & ReplacementFile.FileTypeMask) != ReplacementFile.RegularFile)
        {
            throw new SriovException(
                ErrorCatalog.ConfigFileWriteFailed,
                $"{HostPath} is not a regular file (a symbolic link?), so it was left as it is.",
                HostPath,
                "Replace it with a regular file, or remove it.");
        }

        if ((mode & WriteBits) == 0)
        {
            throw new SriovException(
                ErrorCatalog.ConfigFileReadOnly,
                $"{HostPath} is read-only (mode {Convert.ToString(mode & 0xFFF, 8)}), so it was left as it is.",
                HostPath,
                $"Make it writable (chmod u+w {HostPath}) if SriovPS may change it.");
        }

        int openError = ReplacementFile.TryOpenForWriting(directory, Path.GetFileName(HostPath));
        if (openError != 0)
        {
            throw Failure(openError, "open for writing");
        }
    }

    /// <summary>The directory of <paramref name="hostPath"/>, resolved inside the host's root.</summary>
    private SafeFileDescriptor OpenDirectory(string hostPath, bool create)
    {
        string directory = Path.GetDirectoryName(hostPath) ?? "/";
        int errno = files.OpenDirectory(directory, create, out var descriptor);
        if (errno != 0)
        {
            throw HostPathErrors.ForPath(files, hostPath, errno, create ? "create the directory of" : "open the directory of")
                ?? Failure(errno, create ? "create the directory of" : "open the directory of");
        }

        return descriptor!;
    }

    /// <summary>The file's directory, or <c>null</c> when it does not exist (so neither does the file).</summary>
    private SafeFileDescriptor? TryOpenDirectory()
    {
        int errno = files.OpenDirectory(Path.GetDirectoryName(HostPath) ?? "/", create: false, out var descriptor);
        return errno switch
        {
            0 => descriptor,
            Errno.ENOENT => null,
            _ => throw HostPathErrors.ForPath(files, HostPath, errno, "open the directory of") ?? Failure(errno, "open the directory of"),
        };
    }

    private bool SameDirectory(string hostPath) =>
        string.Equals(Path.GetDirectoryName(hostPath), Path.GetDirectoryName(HostPath), StringComparison.Ordinal);

    internal SriovException Failure(int errno, string action)
    {
        if (HostPathErrors.ForPath(files, HostPath, errno, action) is { } known)
        {
            return known;
        }

        string message = $"Could not {action} {HostPath}: {Errno.Describe(errno)}. The file was left as it was.";
        return errno switch
        {
            Errno.EACCES => new SriovException(ErrorCatalog.ConfigFilePermissionDenied, message, HostPath, "Run PowerShell as root."),
            Errno.EPERM or Errno.EROFS => new SriovException(
                ErrorCatalog.ConfigFileReadOnly,
                message,
                HostPath,
                "The file is immutable (lsattr shows 'i'; chattr -i removes it) or on a read-only filesystem, or this process lacks the privilege to keep its owner: run PowerShell as root."),
            _ => new SriovException(ErrorCatalog.ConfigFileWriteFailed, message, HostPath),
        };
    }
}

/// <summary>A new version of a <see cref="ConfigFile"/>, written and synced but not yet in place.</summary>
internal sealed class PreparedConfigFile : IDisposable
{
    private readonly ConfigFile _file;
    private readonly ReplacementFile _replacement;
    private readonly SafeFileDescriptor _directory;
    private readonly SafeFileDescriptor? _backupDirectory;
    private readonly string _backupName;
    private readonly SafeFileDescriptor? _ownBackupDirectory;

    /// <param name="backupDirectory">Where the backup goes; <c>null</c> when the file is new (no backup).</param>
    /// <param name="ownBackupDirectory">The backup directory when it is not <paramref name="directory"/>, closed with this.</param>
    internal PreparedConfigFile(
        ConfigFile file, ReplacementFile replacement, SafeFileDescriptor directory, SafeFileDescriptor? backupDirectory, string backupName, SafeFileDescriptor? ownBackupDirectory)
    {
        _file = file;
        _replacement = replacement;
        _directory = directory;
        _backupDirectory = backupDirectory;
        _backupName = backupName;
        _ownBackupDirectory = ownBackupDirectory;
    }

    /// <summary>Puts the new version in place, keeping the old one as the backup.</summary>
    /// <exception cref="SriovException">The swap failed; the original is intact.</exception>
    public void Commit()
    {
        int errno = _replacement.Commit(_backupDirectory, _backupDirectory is null ? null : _backupName);
        if (errno != 0)
        {
            throw _file.Failure(errno, $"replace ({_replacement.FailedStep})");
        }
    }

    /// <summary>Discards the new version when it was not committed.</summary>
    public void Dispose()
    {
        _replacement.Dispose();
        _directory.Dispose();
        _ownBackupDirectory?.Dispose();
    }
}
