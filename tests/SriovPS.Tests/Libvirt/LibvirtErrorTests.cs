using System;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// libvirt's refusals as the module's errors, raised by real libvirt: the test driver, a real libvirtd
/// with its network driver (which rejects XML the test driver takes), a socket nobody listens on, and
/// the library itself missing.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class LibvirtErrorTests : IClassFixture<PrivateLibvirtd>
{
    private readonly PrivateLibvirtd _daemon;

    public LibvirtErrorTests(PrivateLibvirtd daemon) => _daemon = daemon;

    private static void RequireLibvirt() => Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);

    private LibvirtConnection RealDaemon()
    {
        RequireLibvirt();
        Skip.If(_daemon.Unavailable is not null, _daemon.Unavailable);
        return LibvirtSessions.Connect(_daemon.Uri);
    }

    [SkippableFact]
    public void NoDaemonOnTheSocket_IsLibvirtConnectionFailed_AConnectionError()
    {
        RequireLibvirt();
        const string Uri = "qemu+unix:///system?socket=/run/sriovps-no-libvirtd/libvirt-sock";

        var error = SriovAssert.Throws(SriovErrorCategory.ConnectionError, () => LibvirtSessions.Connect(Uri));

        Assert.Equal((ErrorCatalog.LibvirtConnectionFailed, SriovErrorCategory.ConnectionError), (error.Id, error.Category));
        Assert.StartsWith($"Cannot connect to libvirt at {Uri}: Failed to connect socket to '/run/sriovps-no-libvirtd/libvirt-sock'", error.Message, StringComparison.Ordinal);
        Assert.Equal("Start libvirtd (systemctl start libvirtd), or name another URI with -Uri or $env:LIBVIRT_DEFAULT_URI.", error.Remedy);
    }

    [SkippableFact]
    public void AMissingLibrary_IsLibvirtNotInstalled_NamingThePackage_AndOnlyLibvirtIsAffected()
    {
        RequireLibvirt();
        LibvirtLibrary.BindTo("/nonexistent/sriovps/libvirt.so.0");
        try
        {
            var error = SriovAssert.Throws(SriovErrorCategory.NotInstalled, () => LibvirtSessions.Connect("test:///default?sriovps-missing"));

            Assert.Equal((ErrorCatalog.LibvirtNotInstalled, SriovErrorCategory.NotInstalled), (error.Id, error.Category));
            Assert.StartsWith("libvirt is not installed: /nonexistent/sriovps/libvirt.so.0 could not be loaded", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install libvirt0", error.Remedy, StringComparison.Ordinal);
            Assert.Equal("/nonexistent/sriovps/libvirt.so.0", error.Target);
        }
        finally
        {
            LibvirtLibrary.BindTo(LibvirtLibrary.Soname);
        }

        Assert.NotNull(LibvirtSessions.Connect("test:///default?sriovps-missing"));
        LibvirtSessions.Disconnect("test:///default?sriovps-missing");
    }

    [SkippableFact]
    public void AnUnknownNetwork_IsLibvirtNetworkNotFound()
    {
        RequireLibvirt();
        var connection = LibvirtSessions.Connect(LibvirtCollection.TestUri);
        string name = "sriovps-gone-" + Guid.NewGuid().ToString("N")[..8];
        using var network = connection.DefineNetwork(HostdevNetworkXml.ForPf(name, "eno49"));
        network.Undefine();

        // The handle outlives the network: libvirt answers VIR_ERR_NO_NETWORK.
        var raw = Assert.Throws<LibvirtException>(() => network.IsActive);
        var error = LibvirtErrors.ForNetwork(raw, name, $"read network '{name}'");

        Assert.Equal(LibvirtErrorCodes.NoNetwork, raw.Code);
        Assert.Equal((ErrorCatalog.LibvirtNetworkNotFound, SriovErrorCategory.ObjectNotFound), (error.Id, error.Category));
    }

    [SkippableFact]
    public void ADuplicateNetwork_IsLibvirtNetworkExists_AResourceExists()
    {
        RequireLibvirt();
        var connection = LibvirtSessions.Connect(LibvirtCollection.TestUri);
        string name = "sriovps-dup-" + Guid.NewGuid().ToString("N")[..8];
        using var first = connection.DefineNetwork(
            $"<network><name>{name}</name><uuid>5d8a1bb4-3a4e-4d3e-9f1e-0a1b2c3d4e5f</uuid><forward mode='hostdev' managed='yes'><pf dev='eno49'/></forward></network>");
        try
        {
            var raw = Assert.Throws<LibvirtException>(() => connection.DefineNetwork(
                $"<network><name>{name}</name><uuid>6e9b2cc5-4b5f-4e4f-8a2f-1b2c3d4e5f60</uuid><forward mode='hostdev' managed='yes'><pf dev='eno49'/></forward></network>"));
            var error = LibvirtErrors.ForNetwork(raw, name, $"define network '{name}'");

            Assert.Equal((ErrorCatalog.LibvirtNetworkExists, SriovErrorCategory.ResourceExists), (error.Id, error.Category));
            Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            first.Undefine();
        }
    }

    [SkippableFact]
    public void TheRealNetworkDriver_TakesAPoolOnOnePf()
    {
        var connection = RealDaemon();
        string name = "sriovps-real-" + Guid.NewGuid().ToString("N")[..8];

        SriovNetworkDefinition.Plan(connection, name, [new PfVfAddresses("eno49", "0000:04:00.0", [])], start: false)
            .Apply(connection, autostart: true, start: false);

        using var network = connection.LookupNetwork(name)!;
        Assert.Equal(["eno49"], HostdevNetworkXml.Parse(network.InactiveXml).PfNames);
        Assert.True(network.Autostart);
        SriovNetworkRemoval.Remove(connection, name);
    }

    [SkippableTheory]
    [InlineData("<pf dev='eno49'/><pf dev='eno50'/>", "Only one <pf> element is allowed")]
    [InlineData("<interface dev='eno49v0'/><interface dev='eno49v1'/>", "hostdev networks require all devices to be listed by PCI address")]
    public void TheRealNetworkDriver_RejectsTheOtherWaysOfNamingSeveralPfs_AsLibvirtDefinitionRejected(string pool, string why)
    {
        var connection = RealDaemon();
        string name = "sriovps-real-" + Guid.NewGuid().ToString("N")[..8];

        var raw = Assert.Throws<LibvirtException>(() => connection.DefineNetwork(
            $"<network><name>{name}</name><forward mode='hostdev' managed='yes'>{pool}</forward></network>"));
        var error = LibvirtErrors.ForNetwork(raw, name, $"define network '{name}'");

        Assert.Equal((ErrorCatalog.LibvirtDefinitionRejected, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Null(connection.LookupNetwork(name));
    }

    [SkippableFact]
    public void TheRealNetworkDriver_ChecksThatEachListedAddressIsAVf_AndNothingIsDefined()
    {
        // This host has no VFs: the address list is checked against sysfs, which the test driver never does.
        var connection = RealDaemon();
        string name = "sriovps-real-" + Guid.NewGuid().ToString("N")[..8];
        var pfs = new[] { new PfVfAddresses("eno49", "0000:04:00.0", ["0000:04:10.0"]), new PfVfAddresses("eno50", "0000:04:00.1", ["0000:04:10.1"]) };

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () =>
            SriovNetworkDefinition.Plan(connection, name, pfs, start: false).Apply(connection, autostart: false, start: false));

        Assert.Equal(ErrorCatalog.LibvirtDefinitionRejected, error.Id);
        Assert.Contains("device '/sys/bus/pci/devices/0000:04:10.0' in network", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not an SR-IOV Virtual Function", error.Message, StringComparison.Ordinal);
        Assert.Null(connection.LookupNetwork(name));
    }

    [SkippableFact]
    public void APoolThatFailsToStart_IsUndefinedAgain_SoTheCommandLeavesNothingBehind()
    {
        var connection = RealDaemon();
        string name = "sriovps-real-" + Guid.NewGuid().ToString("N")[..8];
        var plan = SriovNetworkDefinition.Plan(connection, name, [new PfVfAddresses("sriovps-nopf", "0000:7f:00.0", ["0000:7f:10.0"])], start: true);

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => plan.Apply(connection, autostart: true, start: true));

        Assert.Equal(ErrorCatalog.LibvirtOperationFailed, error.Id);
        Assert.Contains("The network it had defined was undefined again, so nothing was left behind.", error.Message, StringComparison.Ordinal);
        Assert.Contains("sriovps-nopf", error.Message, StringComparison.Ordinal);
        Assert.Null(connection.LookupNetwork(name));
    }
}
