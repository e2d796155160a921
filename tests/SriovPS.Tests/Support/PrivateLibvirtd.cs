using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace SriovPS.Tests.Support;

/// <summary>
/// A real libvirtd (with its real network and QEMU drivers) started for a test class in a private mount
/// namespace: its configuration, state and sockets live in a temporary directory bound over
/// /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and /run/libvirt, so the machine's own libvirt
/// is never touched. Reached as <see cref="Uri"/>. Needs root and the libvirt-daemon-system package.
/// </summary>
public sealed class PrivateLibvirtd : IDisposable
{
    private const string Daemon = "/usr/sbin/libvirtd";
    private static readonly string Script = Path.Combine(Repository.Root, "tests", "tools", "private-libvirtd.sh");

    private readonly string _directory;
    private Process? _process;

    public PrivateLibvirtd()
    {
        _directory = Directory.CreateTempSubdirectory("sriovps-libvirtd-").FullName;
        Unavailable = Environment.UserName != "root" ? "not root: libvirtd needs root"
            : !File.Exists(Daemon) ? $"{Daemon} is not installed (libvirt-daemon-system)"
            : null;
        if (Unavailable is null)
        {
            Start();
        }
    }

    /// <summary>Why the daemon could not be started here, or null.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The daemon's read-write socket, outside its namespace.</summary>
    public string Socket => Path.Combine(_directory, "run", "libvirt-sock");

    /// <summary>
    /// The URI that reaches this daemon (its networks are the real network driver's). The transport is
    /// named (<c>qemu+unix</c>): once the embedded QEMU driver runs in this process, a plain
    /// <c>qemu:///</c> URI would be claimed by it instead of reaching the daemon.
    /// </summary>
    public string Uri => $"qemu+unix:///system?socket={Socket}";

    /// <summary>What the daemon wrote to its console, for failure messages.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    private string LogPath => Path.Combine(_directory, "libvirtd.log");

    /// <summary>Stops the daemon, as a host without a running libvirtd is.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Stop();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A socket still being torn down; the temporary directory is left behind.
        }
    }

    private void Start()
    {
        var start = new ProcessStartInfo("unshare", ["--mount", "bash", Script, _directory]);
        _process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(Socket))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Unavailable = $"libvirtd did not start: {Log}";
                Stop();
                return;
            }

            Thread.Sleep(50);
        }
    }
}
