using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using SriovPS.Libvirt;
using SriovPS.Native.Libvirt;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>The libvirt binding against libvirt's in-process test driver: calls, handles, and errors.</summary>
[Collection(LibvirtCollection.Name)]
public sealed partial class LibvirtBindingTests
{
    private static LibvirtConnection TestDriver()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        return LibvirtSessions.Connect(LibvirtCollection.TestUri);
    }

    [SkippableFact]
    public void TheTestDriver_ListsItsNetworkAndRunningGuest_AndNodeDevices()
    {
        var connection = TestDriver();

        var networks = connection.ListNetworks();
        var domains = connection.ListDomains(LibvirtConnection.ListActiveDomains);
        try
        {
            Assert.Contains("default", networks.Select(n => n.Name));
            var test = Assert.Single(domains, d => d.Name == "test");
            Assert.True(test.IsActive);
            Assert.Contains("<name>test</name>", test.Xml);
        }
        finally
        {
            foreach (var network in networks)
            {
                network.Dispose();
            }

            foreach (var domain in domains)
            {
                domain.Dispose();
            }
        }

        Assert.Contains("<name>computer</name>", connection.NodeDeviceXml("computer"));
        Assert.Null(connection.NodeDeviceXml("pci_0000_99_00_0"));
        Assert.Null(connection.LookupNetwork("sriovps-no-such-network"));
        Assert.Null(connection.LookupDomain("sriovps-no-such-guest"));
        Assert.True(connection.IsAlive);
    }

    [SkippableFact]
    public void TheSameUri_GivesTheSessionsOneConnection()
    {
        Assert.Same(TestDriver(), LibvirtSessions.Connect(LibvirtCollection.TestUri));
    }

    [SkippableFact]
    public void ARefusal_CarriesLibvirtsCodeDomainAndMessage_AndPrintsNothing()
    {
        var connection = TestDriver();
        string printed = CapturingStandardError(() =>
        {
            var error = Assert.Throws<LibvirtException>(() => connection.DefineNetwork("<network><name>broken"));
            Assert.Equal(LibvirtErrorCodes.XmlDetail, error.Code);
            Assert.NotEqual(0, error.Domain);
            Assert.StartsWith("virNetworkDefineXML: ", error.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(error.LibvirtMessage));
        });

        // libvirt's default handler would have printed "libvirt: XML error : …".
        Assert.Equal("", printed);
    }

    [SkippableFact]
    public void AGuest_IsDefinedStartedStoppedAndUndefined_AndTheTestDriverRefusesDeviceChangesAsUnsupported()
    {
        var connection = TestDriver();
        string name = "sriovps-binding-" + Guid.NewGuid().ToString("N")[..8];
        using var domain = connection.DefineDomain($"<domain type='test'><name>{name}</name><memory>65536</memory><os><type>hvm</type></os></domain>");
        try
        {
            domain.Create();
            Assert.True(domain.IsActive);
            domain.Destroy();
            Assert.False(domain.IsActive);

            // Attach and detach are served by the QEMU driver; the test driver answers "not supported".
            const string Interface = "<interface type='network'><source network='default'/></interface>";
            var attach = Assert.Throws<LibvirtException>(() => domain.AttachDevice(Interface, LibvirtDomain.AffectConfig));
            var detach = Assert.Throws<LibvirtException>(() => domain.DetachDevice(Interface, LibvirtDomain.AffectConfig));
            Assert.Equal((LibvirtErrorCodes.NoSupport, LibvirtErrorCodes.NoSupport), (attach.Code, detach.Code));
        }
        finally
        {
            domain.Undefine();
        }

        Assert.Null(connection.LookupDomain(name));
    }

    /// <summary>Runs <paramref name="action"/> with this process's stderr (fd 2) sent to a file, and returns what was written.</summary>
    private static string CapturingStandardError(Action action)
    {
        string path = Path.GetTempFileName();
        int file = Open(path, 1 /* O_WRONLY */, 0);
        int saved = Dup(2);
        try
        {
            Dup2(file, 2);
            action();
        }
        finally
        {
            Dup2(saved, 2);
            Close(saved);
            Close(file);
        }

        string text = File.ReadAllText(path);
        File.Delete(path);
        return text;
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc.so.6", EntryPoint = "dup")]
    private static partial int Dup(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "dup2")]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
