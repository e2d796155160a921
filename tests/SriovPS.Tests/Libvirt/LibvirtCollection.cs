using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// libvirt tests share the session's connections (one per URI, as in a PowerShell session) and the
/// process-wide library binding, which one test points at a missing file: they run one at a time.
/// They share one embedded QEMU driver too, which a process can open at one root only.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibvirtCollection : ICollectionFixture<SriovPS.Tests.Support.EmbeddedQemu>
{
    public const string Name = "libvirt";

    /// <summary>libvirt's in-process test driver: a host with a NAT network 'default' and a running guest 'test'.</summary>
    public const string TestUri = "test:///default";

    /// <summary>Why libvirt tests cannot run here, or null.</summary>
    public static string? Unavailable => SriovPS.Native.Libvirt.LibvirtLibrary.Handle == System.IntPtr.Zero
        ? "libvirt.so.0 is not installed (Debian package libvirt0)"
        : null;
}
