using System;
using System.IO;
using SriovPS.Libvirt;

namespace SriovPS.Tests.Support;

/// <summary>
/// libvirt's QEMU driver inside the test process (<c>qemu:///embed?root=&lt;tmpdir&gt;</c>): no daemon,
/// its configuration and state under a temporary directory, real domain XML handling with config
/// semantics. It has no network driver. As root the driver needs the libvirt-qemu user.
/// </summary>
public sealed class EmbeddedQemu : IDisposable
{
    private const string Emulator = "/usr/bin/qemu-system-x86_64";
    private readonly string _root;

    public EmbeddedQemu()
    {
        _root = Directory.CreateTempSubdirectory("sriovps-embed-").FullName;
        Unavailable = SriovPS.Tests.Libvirt.LibvirtCollection.Unavailable
            ?? (!File.Exists(Emulator) ? $"{Emulator} is not installed (qemu-system-x86)" : null)
            ?? (Environment.UserName == "root" && !UserExists("libvirt-qemu") ? "the libvirt-qemu user does not exist (libvirt-daemon-system)" : null);
    }

    /// <summary>Why the embedded driver cannot be used here, or null.</summary>
    public string? Unavailable { get; }

    public string Uri => $"qemu:///embed?root={_root}";

    /// <summary>A small q35 guest that is only defined, never started.</summary>
    public static string GuestXml(string name, string devices = "") => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <memory unit='MiB'>64</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <features><acpi/></features>
          <devices><emulator>{Emulator}</emulator>{devices}</devices>
        </domain>
        """;

    public void Dispose()
    {
        LibvirtSessions.Disconnect(Uri);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The driver may still be writing its state; the temporary directory is left behind.
        }
    }

    private static bool UserExists(string name)
    {
        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
