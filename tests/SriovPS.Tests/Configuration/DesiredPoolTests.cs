using System.Linq;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// A pool's PFs on the host: named by a PF entry's id (all the PFs it matched) or by an interface name
/// (managed by the document or left as it is); refused when the PFs would give it no VF.
/// </summary>
public sealed class DesiredPoolTests
{
    [Fact]
    public void APoolNamingAnId_HasEveryPfThatEntryMatched()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pool = Assert.Single(host.Desired("""
            {"pfs":[{"id":"ports","match":{"driver":"igb","pciAddress":"04:00.2"}},{"id":"uplink","match":{"name":"eno49"}}],
             "pools":[{"name":"sriov-net","pfs":["ports","uplink","ports"]}]}
            """).Pools);

        Assert.Equal(["eno51", "eno49"], pool.Managed.Select(p => p.Label));
        Assert.Empty(pool.Others);
        Assert.Equal(["eno51", "eno49"], pool.Pfs.Select(p => p.Name));
    }

    [Fact]
    public void APoolNamingInterfaces_HasThePfsTheDocumentManages_AndThoseItLeavesAlone()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pool = Assert.Single(host.Desired("""
            {"pfs":[{"match":{"name":"eno49"},"numVfs":2}],
             "pools":[{"name":"sriov-net","pfs":["eno49","eno50"],"autostart":true,"started":true}]}
            """).Pools);

        Assert.Equal(["eno49"], pool.Managed.Select(p => p.Label));
        Assert.Equal(["eno50"], pool.Others.Select(p => p.Name));
        Assert.Equal((true, true), (pool.Entry.Autostart, pool.Entry.Started));
    }

    [Fact]
    public void AnIdIsPreferred_ToAnInterfaceOfTheSameName()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pool = Assert.Single(host.Desired("""
            {"pfs":[{"id":"eno50","match":{"name":"eno52"}}],"pools":[{"name":"p","pfs":["eno50"]}]}
            """).Pools);

        Assert.Equal(["eno52"], pool.Pfs.Select(p => p.Name));
    }

    [Fact]
    public void APoolOverAPfTheDocumentLeavesWithoutVfs_IsRefusedAtThatPf()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (desired, problems) = host.Resolve("""
            {"pfs":[{"id":"uplink","match":{"name":"eno49"},"numVfs":0}],"pools":[{"name":"p","pfs":["eno50","uplink"]}]}
            """);

        var problem = Documents.AtPath(Assert.Single(problems), "pools[0].pfs[1]");
        Assert.Equal("pools[0].pfs[1]: the pool would hand out the VFs of eno49, which the document leaves with none (pfs[0].numVfs).", problem.Message);
        Assert.Empty(desired.Pools);
    }

    [Fact]
    public void APoolOverAnUnmanagedPfWithoutVfs_IsRefused()
    {
        using var host = new ConfiguredHost("x540-2port");

        var (_, problems) = host.Resolve("""{"pools":[{"name":"p","pfs":["eno2"]}]}""");

        Assert.Equal(
            "pools[0].pfs[0]: eno2 has no VFs for the pool to hand out, and the document does not give it any.",
            Assert.Single(problems).Message);
    }

    [Fact]
    public void APoolOverAPfWithoutVfs_IsAccepted_WhenTheDocumentGivesItSome()
    {
        using var host = new ConfiguredHost("x540-2port");

        var pool = Assert.Single(host.Desired("""{"pfs":[{"match":{"name":"eno2"},"numVfs":8}],"pools":[{"name":"p","pfs":["eno2"]}]}""").Pools);

        Assert.Equal(8, Assert.Single(pool.Managed).Count);
    }

    [Fact]
    public void APoolNamingNeitherAnIdNorAPf_IsRefusedAtThatName()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pools":[{"name":"p","pfs":["eno49","eth9"]}]}""");

        Assert.Equal(
            "pools[0].pfs[1]: 'eth9' is neither the id of a PF entry nor the interface of a PF of this host.",
            Documents.AtPath(Assert.Single(problems), "pools[0].pfs[1]").Message);
    }

    [Fact]
    public void APoolNamingARefusedEntry_IsNotRefusedAgainForIt()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (desired, problems) = host.Resolve("""
            {"pfs":[{"id":"uplink","match":{"name":"eno49"},"numVfs":9}],"pools":[{"name":"p","pfs":["uplink"]}]}
            """);

        Assert.Equal(["pfs[0].numVfs"], problems.Select(p => p.Target));
        Assert.Empty(desired.Pools);
    }

    [Fact]
    public void APoolNamingAnEntryThatMatchedNoPf_IsNotRefusedAgainForIt()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""
            {"pfs":[{"id":"uplink","match":{"name":"eth9"}}],"pools":[{"name":"p","pfs":["uplink"]}]}
            """);

        Assert.Equal(["pfs[0].match"], problems.Select(p => p.Target));
    }

    [Fact]
    public void APoolNamingAnEntryRefusedForMatchingAClaimedPf_IsNotRefusedAgainForIt()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""
            {"pfs":[{"id":"a","match":{"name":"eno49"}},{"id":"b","match":{"name":"eno49"},"numVfs":3}],"pools":[{"name":"p","pfs":["b"]}]}
            """);

        Assert.Equal(["pfs[1].match"], problems.Select(p => p.Target));
    }

    [Theory]
    [InlineData("i350-4port", """{"id":"u","match":{"name":"eno49"},"vfs":[{"index":0,"driver":"nosuchdrv"}]}""", "pfs[0].vfs[0].driver")]
    [InlineData("i350-4port", """{"id":"u","match":{"name":"eno49"},"vfs":[{"index":9,"trust":true}]}""", "pfs[0].vfs[0].index")]
    [InlineData("e810-nodriver", """{"id":"u","match":{"deviceId":"8086:1593"},"mtu":9000}""", "pfs[0]")]
    public void APoolNamingAnEntryRefusedForWhatTheHostShows_IsNotRefusedAgainForIt(string fixture, string entry, string path)
    {
        using var host = new ConfiguredHost(fixture);

        var (desired, problems) = host.Resolve($$"""{"pfs":[{{entry}}],"pools":[{"name":"p","pfs":["u"]}]}""");

        Assert.Equal([path], problems.Select(p => p.Target));
        Assert.Empty(desired.Pools);
    }

    [Fact]
    public void APoolNamingARefusedEntry_AndAnUnknownName_IsRefusedForTheUnknownNameOnly()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""
            {"pfs":[{"id":"uplink","match":{"name":"eth9"}}],"pools":[{"name":"p","pfs":["uplink","eth8"]}]}
            """);

        Assert.Equal(["pfs[0].match", "pools[0].pfs[1]"], problems.Select(p => p.Target));
    }
}
