using System;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// Defining, re-defining and removing SR-IOV pools on libvirt's test driver, with the seeds' I350 PFs
/// (eno49 and eno50, 7 VFs each) as the host reports them.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class SriovNetworkDefinitionTests : IDisposable
{
    private static readonly PfVfAddresses Eno49 = new("eno49", "0000:04:00.0", ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"]);
    private static readonly PfVfAddresses Eno50 = new("eno50", "0000:04:00.1", ["0000:04:10.1", "0000:04:10.5", "0000:04:11.1", "0000:04:11.5", "0000:04:12.1", "0000:04:12.5", "0000:04:13.1"]);
    private static readonly PfVfAddresses Eno51WithoutVfs = new("eno51", "0000:04:00.2", []);

    private readonly string _name = "sriovps-test-" + Guid.NewGuid().ToString("N")[..8];
    private LibvirtConnection? _connection;

    private LibvirtConnection Connection()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        return _connection ??= LibvirtSessions.Connect(LibvirtCollection.TestUri);
    }

    public void Dispose()
    {
        if (_connection?.LookupNetwork(_name) is { } left)
        {
            using (left)
            {
                SriovNetworkRemoval.Remove(_connection, _name);
            }
        }
    }

    [SkippableFact]
    public void APoolOnOnePf_IsDefinedWithThePf_MarkedAutostart_AndNotStarted()
    {
        var connection = Connection();

        var plan = SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: false);
        var done = plan.Apply(connection, autostart: true, start: false);

        Assert.Equal(ExistingNetwork.None, plan.Existing);
        Assert.Equal([$"Defined network '{_name}'.", $"Marked network '{_name}' to start with libvirtd."], done);
        using var network = connection.LookupNetwork(_name)!;
        var stored = HostdevNetworkXml.Parse(network.InactiveXml);
        Assert.Equal((true, true, "eno49"), (stored.IsHostdev, stored.Managed, stored.PfNames[0]));
        Assert.Equal((true, true, false), (network.IsPersistent, network.Autostart, network.IsActive));
    }

    [SkippableFact]
    public void TheSameDefinitionAgain_DefinesNothing_AndOnlyStartsWhatIsNotStarted()
    {
        var connection = Connection();
        SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: false).Apply(connection, autostart: false, start: false);

        var again = SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: true);
        var done = again.Apply(connection, autostart: false, start: true);
        var third = SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: true);

        Assert.Equal((ExistingNetwork.Same, false), (again.Existing, again.IsActive));
        Assert.Equal([$"Started network '{_name}'."], done);
        Assert.Equal((ExistingNetwork.Same, true), (third.Existing, third.IsActive));
        Assert.Empty(third.Apply(connection, autostart: false, start: true));
    }

    [SkippableFact]
    public void AnotherDefinitionUnderTheName_IsResourceExists_AndLeavesTheNetworkAsItWas()
    {
        var connection = Connection();
        SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: false).Apply(connection, autostart: false, start: false);

        var error = SriovAssert.Throws(SriovErrorCategory.ResourceExists, () => SriovNetworkDefinition.Plan(connection, _name, [Eno50], start: false));

        Assert.Equal(ErrorCatalog.LibvirtNetworkExists, error.Id);
        Assert.Equal($"The libvirt network '{_name}' exists with another definition (PF eno49), so it was left as it is.", error.Message);
        using var network = connection.LookupNetwork(_name)!;
        Assert.Equal(["eno49"], HostdevNetworkXml.Parse(network.InactiveXml).PfNames);
    }

    [SkippableFact]
    public void APoolOverTwoPfs_ListsTheirFourteenVfsByAddress()
    {
        var connection = Connection();

        var plan = SriovNetworkDefinition.Plan(connection, _name, [Eno49, Eno50], start: false);
        plan.Apply(connection, autostart: false, start: false);

        using var network = connection.LookupNetwork(_name)!;
        var stored = HostdevNetworkXml.Parse(network.InactiveXml);
        Assert.Empty(stored.PfNames);
        Assert.Equal([.. Eno49.VfAddresses, .. Eno50.VfAddresses], stored.Addresses);
        Assert.Equal($"{_name} (eno49, eno50)", plan.Target);
        Assert.Equal(ExistingNetwork.Same, SriovNetworkDefinition.Plan(connection, _name, [Eno49, Eno50], start: false).Existing);
    }

    [SkippableFact]
    public void ANameWithQuotesAndMarkup_IsDefinedAsText()
    {
        var connection = Connection();
        string hostile = _name + "'\"<&>";

        try
        {
            SriovNetworkDefinition.Plan(connection, hostile, [Eno49], start: false).Apply(connection, autostart: false, start: false);

            using var network = connection.LookupNetwork(hostile)!;
            Assert.Equal(hostile, network.Name);
            Assert.Equal(hostile, HostdevNetworkXml.Parse(network.InactiveXml).Name);
        }
        finally
        {
            if (connection.LookupNetwork(hostile) is { } left)
            {
                left.Dispose();
                SriovNetworkRemoval.Remove(connection, hostile);
            }
        }
    }

    [SkippableTheory]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(" eno49-sr-iov")]
    [InlineData("..")]
    [InlineData("tab\there")]
    public void AnInvalidName_IsRefused_BeforeLibvirtIsAsked(string name)
    {
        var connection = Connection();

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => SriovNetworkDefinition.Plan(connection, name, [Eno49], start: false));

        Assert.Equal(ErrorCatalog.InvalidNetworkName, error.Id);
    }

    [SkippableFact]
    public void StartingAPoolOnAPfWithoutVfs_IsSriovPoolEmpty_AndNothingIsDefined()
    {
        var connection = Connection();

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => SriovNetworkDefinition.Plan(connection, _name, [Eno51WithoutVfs], start: true));

        Assert.Equal(ErrorCatalog.SriovPoolEmpty, error.Id);
        Assert.Equal($"eno51 has no VFs, so the pool '{_name}' could not start: nothing was defined.", error.Message);
        Assert.Null(connection.LookupNetwork(_name));
        Assert.Equal(ExistingNetwork.None, SriovNetworkDefinition.Plan(connection, _name, [Eno51WithoutVfs], start: false).Existing);
    }

    [SkippableFact]
    public void Removing_StopsAndUndefines_AndAnUnknownNetworkIsNotFound()
    {
        var connection = Connection();
        SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: true).Apply(connection, autostart: false, start: true);

        var done = SriovNetworkRemoval.Remove(connection, _name);
        var error = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => SriovNetworkRemoval.Remove(connection, _name));

        Assert.Equal([$"Stopped network '{_name}'.", $"Undefined network '{_name}'."], done);
        Assert.Null(connection.LookupNetwork(_name));
        Assert.Equal((ErrorCatalog.LibvirtNetworkNotFound, $"There is no libvirt network '{_name}'."), (error.Id, error.Message));
    }

    [SkippableFact]
    public void TheInventory_ShowsOnlyHostdevPools_WithTheDemandOfDefinedGuests()
    {
        var connection = Connection();
        SriovNetworkDefinition.Plan(connection, _name, [Eno49], start: false).Apply(connection, autostart: false, start: false);
        string guest = _name + "-vm";
        using var domain = connection.DefineDomain(
            $"<domain type='test'><name>{guest}</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
            $"<interface type='network'><source network='{_name}'/></interface><interface type='network'><source network='{_name}'/></interface>" +
            "</devices></domain>");
        try
        {
            var inventory = LibvirtInventory.Read(connection);

            Assert.DoesNotContain(inventory.Networks, n => n.Name == "default");
            var network = Assert.Single(inventory.Networks, n => n.Name == _name);
            var report = SriovNetworkReport.Describe(LibvirtCollection.TestUri, network, inventory.Guests, [Eno49]);
            Assert.Equal((7, 0, 7, 2, SriovPoolState.NotStarted), (report.PoolSize, report.InUse, report.Free, report.Demand, report.State));
            Assert.Equal([guest], report.Consumers);
            Assert.Empty(report.RunningConsumers);
        }
        finally
        {
            domain.Undefine();
        }
    }

    [SkippableFact]
    public void VfOwners_AreTheRunningGuestsWithAVf_ReadInOnePass()
    {
        var connection = Connection();
        string guest = _name + "-vf";
        using var domain = connection.DefineDomain(
            $"<domain type='test'><name>{guest}</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
            "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></hostdev>" +
            "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x04' slot='0x11' function='0x0'/></source></interface>" +
            "</devices></domain>");
        try
        {
            Assert.DoesNotContain("0000:04:10.4", LibvirtInventory.Read(connection, runningOnly: true).VfOwners().Keys);

            domain.Create();
            var owners = LibvirtInventory.Read(connection, runningOnly: true).VfOwners();

            Assert.Equal(guest, owners["0000:04:10.4"]);
            Assert.Equal(guest, owners["0000:04:11.0"]);
        }
        finally
        {
            if (domain.IsActive)
            {
                domain.Destroy();
            }

            domain.Undefine();
        }
    }
}
