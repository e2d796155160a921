using System.Diagnostics;
using System.Threading;
using SriovPS.Native;
using SriovPS.Native.Files;
using SriovPS.VfCount;

namespace SriovPS.Hosting;

/// <summary>
/// Serializes the commands that change a host (VF counts, VF settings, drivers, configuration files)
/// across every PowerShell session on it: an flock(2) on <c>/run/lock/sriovps.lock</c>, released when
/// the holder's descriptor closes, even if the process dies. The file names the holder's PID so a
/// waiting command can say whom it waits for. In a copied tree the lock file (and the directories made
/// for it) are removed again on release, so taking the lock leaves the tree as it was.
/// </summary>
internal sealed class HostChangeLock : IDisposable
{
    public const string HostPath = "/run/lock/sriovps.lock";

    /// <summary>How long a command waits quietly before it warns that it is waiting, and for whom.</summary>
    public static readonly TimeSpan WarnAfter = TimeSpan.FromSeconds(2);

    private const string Directory = "/run/lock";
    private const string FileName = "sriovps.lock";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly HostFileSystem _files;
    private readonly SafeFileDescriptor _directory;
    private readonly LockFile _file;
    private readonly List<string> _createdDirectories;

    private HostChangeLock(HostFileSystem files, SafeFileDescriptor directory, LockFile file, List<string> createdDirectories)
    {
        _files = files;
        _directory = directory;
        _file = file;
        _createdDirectories = createdDirectories;
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> while another command holds it;
    /// <paramref name="report"/> hears at once whom it waits for (a note), and once more after
    /// <see cref="WarnAfter"/> (a warning).
    /// </summary>
    /// <exception cref="SriovException">Another command held it for the whole wait.</exception>
    /// <exception cref="SriovException">The lock file cannot be made or opened (its directory is a file, it is a link, …).</exception>
    /// <exception cref="OperationCanceledException">The command was stopped while waiting.</exception>
    public static HostChangeLock Acquire(
        HostFileSystem files, TimeSpan timeout, IHostReport? report = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        bool told = false;
        bool warned = false;
        int vanished = 0;
        while (true)
        {
            var created = new List<string>();
            var directory = OpenDirectory(files, created);
            LockFile? file = null;
            try
            {
                if (directory is null || (file = Open(files, directory)) is null)
                {
                    // The holder before removed the directory (or the file) as it finished, between this
                    // command's opening it and making the file in it: the lock is free, so make them again.
                    if (++vanished > 1 && clock.Elapsed >= timeout)
                    {
                        throw Busy(files, timeout);
                    }

                    cancellation.ThrowIfCancellationRequested();
                    continue;
                }

                int errno = file.TryLock();
                if (errno == 0)
                {
                    // The holder before may have removed the file as it finished: then lock the one that replaced it.
                    if (file.IsNamed(directory, FileName))
                    {
                        file.WriteText(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                        var held = new HostChangeLock(files, directory, file, created);
                        (file, directory) = (null, null);
                        return held;
                    }
                }
                else if (errno != Errno.EAGAIN)
                {
                    throw new SriovException(
                        ErrorCatalog.ConfigFileWriteFailed,
                        $"Could not lock {HostPath}: {Errno.Describe(errno)}.",
                        HostPath);
                }
                else
                {
                    Waited(files, clock.Elapsed, timeout, ref told, ref warned, report);
                }
            }
            finally
            {
                file?.Dispose();
                directory?.Dispose();
            }

            cancellation.ThrowIfCancellationRequested();
            cancellation.WaitHandle.WaitOne(Poll);
            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Tells whom the command waits for (at once, and again after <see cref="WarnAfter"/>), or gives up after <paramref name="timeout"/>.</summary>
    private static void Waited(
        HostFileSystem files, TimeSpan waited, TimeSpan timeout, ref bool told, ref bool warned, IHostReport? report)
    {
        if (waited >= timeout)
        {
            throw Busy(files, timeout);
        }

        string holder = Holder(files);

        if (!told)
        {
            report?.Note($"Waiting for another SriovPS command ({holder}) that is changing this host.");
            told = true;
        }

        if (!warned && waited >= WarnAfter)
        {
            report?.Warn($"Waiting for another SriovPS command ({holder}), which has been changing this host for at least {waited.TotalSeconds:0} s; this command waits up to {timeout.TotalSeconds:0} s for it (Ctrl+C stops waiting).");
            warned = true;
        }
    }

    private static SriovException Busy(HostFileSystem files, TimeSpan timeout) => new(
        ErrorCatalog.HostChangeInProgress,
        $"Another SriovPS command ({Holder(files)}) has been changing this host for over {timeout.TotalSeconds:0} s, holding {HostPath}.",
        HostPath,
        "Wait for it to finish and run the command again.");

    public void Dispose()
    {
        if (!_files.IsLiveHost)
        {
            // Removed while still held: a waiter that opened it sees that the name is gone and opens again.
            RemoveFromTree();
        }

        _file.Dispose();
        _directory.Dispose();
    }

    private void RemoveFromTree()
    {
        _files.Remove(HostPath, directory: false);

        // Innermost first; one another command uses meanwhile is not empty and stays.
        for (int i = _createdDirectories.Count - 1; i >= 0 && _files.Remove(_createdDirectories[i], directory: true) == 0; i--)
        {
        }
    }

    /// <summary>Opens /run/lock, making it (and /run) when missing; <c>null</c> when another command removed what was made meanwhile.</summary>
    private static SafeFileDescriptor? OpenDirectory(HostFileSystem files, List<string> created)
    {
        int errno = files.OpenDirectory(Directory, create: true, out var directory, created);
        if (errno == 0)
        {
            return directory!;
        }

        if (errno == Errno.ENOENT)
        {
            return null;
        }

        throw errno switch
        {
            Errno.ENOTDIR or Errno.EEXIST => HostPathErrors.WrongType(
                Directory,
                "it (or /run) is a file, not a directory, so the lock that keeps two SriovPS commands from changing this host at once cannot be made in it",
                "lock the host with a file in"),
            Errno.EXDEV => HostPathErrors.OutsideRoot(files, Directory, "lock the host with a file in"),
            Errno.EACCES => new SriovException(
                ErrorCatalog.ConfigFilePermissionDenied, $"Could not create {Directory}: {Errno.Describe(errno)}.", Directory, "Run PowerShell as root."),
            _ => new SriovException(ErrorCatalog.ConfigFileWriteFailed, $"Could not create {Directory}: {Errno.Describe(errno)}.", Directory),
        };
    }

    /// <summary>Opens (making) the lock file; <c>null</c> when its directory was removed since it was opened.</summary>
    private static LockFile? Open(HostFileSystem files, SafeFileDescriptor directory)
    {
        int errno = LockFile.Open(directory, FileName, out var file);
        if (errno == Errno.ENOENT)
        {
            return null;
        }

        if (errno == Errno.ELOOP)
        {
            throw new SriovException(
                ErrorCatalog.ConfigFileWriteFailed,
                $"{HostPath} is a symbolic link; SriovPS does not follow it.",
                HostPath,
                $"Remove {HostPath}: SriovPS creates it.");
        }

        if (errno == Errno.EISDIR)
        {
            throw HostPathErrors.WrongType(HostPath, "it is a directory, not a file", "lock the host with");
        }

        if (errno != 0)
        {
            string message = $"Could not open {HostPath}: {Errno.Describe(errno)}.";
            throw errno == Errno.EACCES
                ? new SriovException(ErrorCatalog.ConfigFilePermissionDenied, message, HostPath, "Run PowerShell as root.")
                : new SriovException(ErrorCatalog.ConfigFileWriteFailed, message, HostPath);
        }

        // As root, a lock file another user made would let that user block or impersonate SriovPS.
        if (Environment.IsPrivilegedProcess && ReplacementFile.Stat(directory, FileName, out uint owner, out _, out uint mode) == 0
            && (owner != 0 || (mode & ReplacementFile.FileTypeMask) != ReplacementFile.RegularFile))
        {
            file!.Dispose();
            throw new SriovException(
                ErrorCatalog.ConfigFileWriteFailed,
                $"{HostPath} belongs to uid {owner}, not root, so SriovPS does not use it.",
                HostPath,
                $"Remove {HostPath}: SriovPS creates it.");
        }

        return file!;
    }

    /// <summary>
    /// Who holds the lock, read with plain reads: .NET's file API would take a shared flock, which the
    /// holder's lock refuses. The holder is a process of this machine even for a copied tree (flock
    /// is local), so its command line is read from this machine's /proc.
    /// </summary>
    private static string Holder(HostFileSystem files)
    {
        string? text = files.ReadAttribute(HostPath);
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return "PID unknown";
        }

        return VfHolderScan.CommandLine(LiveHost, pid) is { Length: > 0 } commandLine ? $"PID {pid}: {commandLine}" : $"PID {pid}";
    }

    private static readonly HostFileSystem LiveHost = new("/");
}
