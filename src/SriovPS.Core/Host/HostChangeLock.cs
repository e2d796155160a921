using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Native;
using SriovPS.Native.Files;
using SriovPS.Native.Sysfs;

namespace SriovPS.Host;

/// <summary>
/// Serializes the commands that change a host (VF counts, VF settings, drivers, configuration files)
/// across every PowerShell session on it: an flock(2) on <c>/run/lock/sriovps.lock</c>, released when
/// the holder's descriptor closes, even if the process dies. The file names the holder's PID so a
/// waiting command can say whom it waits for.
/// </summary>
internal sealed class HostChangeLock : IDisposable
{
    public const string HostPath = "/run/lock/sriovps.lock";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly LockFile _file;

    private HostChangeLock(LockFile file) => _file = file;

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> while another command holds it;
    /// <paramref name="waiting"/> hears once whom it waits for.
    /// </summary>
    /// <exception cref="SriovResourceBusyException">Another command held it for the whole wait.</exception>
    /// <exception cref="OperationCanceledException">The command was stopped while waiting.</exception>
    public static HostChangeLock Acquire(HostFileSystem files, TimeSpan timeout, Action<string>? waiting = null, CancellationToken cancellation = default)
    {
        string path = files.PathOf(HostPath);
        var file = Open(path);
        try
        {
            var clock = Stopwatch.StartNew();
            bool told = false;
            for (int errno = file.TryLock(); errno != 0; errno = file.TryLock())
            {
                if (errno != Errno.EAGAIN)
                {
                    throw new SriovWriteException(
                        ErrorCatalog.ConfigFileWriteFailed,
                        $"Could not lock {HostPath}: {Errno.Describe(errno)}.",
                        HostPath);
                }

                string holder = Holder(files);
                if (clock.Elapsed >= timeout)
                {
                    throw new SriovResourceBusyException(
                        ErrorCatalog.HostChangeInProgress,
                        $"Another SriovPS command ({holder}) has been changing this host for over {timeout.TotalSeconds:0} s, holding {HostPath}.",
                        HostPath,
                        "Wait for it to finish and run the command again.");
                }

                if (!told)
                {
                    waiting?.Invoke($"Waiting for another SriovPS command ({holder}) that is changing this host.");
                    told = true;
                }

                cancellation.ThrowIfCancellationRequested();
                cancellation.WaitHandle.WaitOne(Poll);
                cancellation.ThrowIfCancellationRequested();
            }

            file.WriteText(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            return new HostChangeLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose();

    private static LockFile Open(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
        }

        int errno = LockFile.Open(path, out var file);
        if (errno == Errno.ELOOP)
        {
            throw new SriovWriteException(
                ErrorCatalog.ConfigFileWriteFailed,
                $"{HostPath} is a symbolic link; SriovPS does not follow it.",
                HostPath,
                $"Remove {HostPath}: SriovPS creates it.");
        }

        if (errno != 0)
        {
            string message = $"Could not open {HostPath}: {Errno.Describe(errno)}.";
            throw errno == Errno.EACCES
                ? new SriovPermissionDeniedException(ErrorCatalog.ConfigFilePermissionDenied, message, HostPath, "Run PowerShell as root.")
                : new SriovWriteException(ErrorCatalog.ConfigFileWriteFailed, message, HostPath);
        }

        // As root, a lock file another user made would let that user block or impersonate SriovPS.
        if (Environment.IsPrivilegedProcess && ReplacementFile.Stat(path, out uint owner, out _, out uint mode) == 0
            && (owner != 0 || (mode & ReplacementFile.FileTypeMask) != ReplacementFile.RegularFile))
        {
            file!.Dispose();
            throw new SriovWriteException(
                ErrorCatalog.ConfigFileWriteFailed,
                $"{HostPath} belongs to uid {owner}, not root, so SriovPS does not use it.",
                HostPath,
                $"Remove {HostPath}: SriovPS creates it.");
        }

        return file!;
    }

    /// <summary>Who holds the lock, read with plain reads: .NET's file API would take a shared flock, which the holder's lock refuses.</summary>
    private static string Holder(HostFileSystem files)
    {
        string? text = files.ReadAttribute(HostPath);
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return "PID unknown";
        }

        return VfHolderScan.CommandLine(files, pid) is { Length: > 0 } commandLine ? $"PID {pid}: {commandLine}" : $"PID {pid}";
    }
}
