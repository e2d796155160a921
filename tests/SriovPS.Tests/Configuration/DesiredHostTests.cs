using System.Linq;
using SriovPS.Errors;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// A document laid over the seeds' I350 (eno49–eno52, igb 8086:1521, 7 of 7 VFs each): which PFs each
/// entry is for, and what only the host can refuse: no PF matched, one PF matched twice, a count over
/// TotalVfs, a VF beyond the count, a driver the host lacks, one "auto" MAC for two VFs.
/// </summary>
public sealed class DesiredHostTests
{
    private const string Eno49Net = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/net/eno49";
    private const string Eno50Net = "/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.1/net/eno50";

    private const string I350Pfs =
        "Its PFs: eno49 (igb 8086:1521, 0000:04:00.0); eno50 (igb 8086:1521, 0000:04:00.1); eno51 (igb 8086:1521, 0000:04:00.2); eno52 (igb 8086:1521, 0000:04:00.3).";

    [Theory]
    [InlineData("""{"name":"eno50"}""", new[] { "eno50" })]
    [InlineData("""{"pciAddress":"04:00.1"}""", new[] { "eno50" })]
    [InlineData("""{"pciAddress":"0000:04:00.2"}""", new[] { "eno51" })]
    [InlineData("""{"driver":"igb"}""", new[] { "eno49", "eno50", "eno51", "eno52" })]
    [InlineData("""{"deviceId":"8086:1521"}""", new[] { "eno49", "eno50", "eno51", "eno52" })]
    [InlineData("""{"driver":"igb","deviceId":"8086:1521","name":"eno52"}""", new[] { "eno52" })]
    public void AnEntry_IsForEveryPfThatMeetsAllItsCriteria(string match, string[] pfs)
    {
        using var host = new ConfiguredHost("i350-4port");

        var desired = host.Desired("""{"pfs":[{"match":""" + match + ""","numVfs":2}]}""");

        Assert.Equal(pfs, desired.Pfs.Select(p => p.Label));
        Assert.All(desired.Pfs, p => Assert.Equal((2, "pfs[0]"), (p.Count, p.Entry.Path)));
    }

    [Fact]
    public void ADeviceId_MatchesInAnyCase_AsSysfsAndLspciWriteIt()
    {
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile("/sys/devices/pci0000:00/0000:00:02.2/0000:04:00.3/device", "0x15AB\n"));

        Assert.Equal(["eno52"], host.Desired("""{"pfs":[{"match":{"deviceId":"8086:15ab"}}]}""").Pfs.Select(p => p.Label));
        Assert.Equal(["eno52"], host.Desired("""{"pfs":[{"match":{"deviceId":"8086:15AB"}}]}""").Pfs.Select(p => p.Label));
    }

    [Theory]
    [InlineData("""{"name":"eth9"}""", "name eth9")]
    [InlineData("""{"name":"ENO49"}""", "name ENO49")]
    [InlineData("""{"driver":"IGB"}""", "driver IGB")]
    [InlineData("""{"driver":"igb","deviceId":"8086:10fb"}""", "driver igb, deviceId 8086:10fb")]
    [InlineData("""{"pciAddress":"05:00.0"}""", "pciAddress 0000:05:00.0")]
    public void AnEntryThatMatchesNoPf_IsConfigurationNotMatched_ListingTheHostsPfs(string match, string criteria)
    {
        using var host = new ConfiguredHost("i350-4port");

        var (desired, problems) = host.Resolve("""{"pfs":[{"match":""" + match + """},{"match":{"name":"eno51"}}]}""");

        var problem = Assert.Single(problems);
        Assert.Equal((ErrorCatalog.ConfigurationNotMatched, SriovErrorCategory.ObjectNotFound, "pfs[0].match"), (problem.Id, problem.Category, problem.Target));
        Assert.Equal($"pfs[0].match: no PF of this host has {criteria}. {I350Pfs}", problem.Message);
        Assert.Equal(["eno51"], desired.Pfs.Select(p => p.Label));
    }

    [Fact]
    public void TwoEntriesForOnePf_AreRefusedAtTheSecondMatch()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (desired, problems) = host.Resolve("""{"pfs":[{"match":{"driver":"igb"},"numVfs":2},{"match":{"name":"eno50"},"numVfs":3}]}""");

        var problem = Assert.Single(problems);
        Documents.AtPath(problem, "pfs[1].match");
        Assert.Equal("pfs[1].match: eno50 (igb 8086:1521, 0000:04:00.1) is also matched by pfs[0]: each PF may be described once.", problem.Message);
        Assert.All(desired.Pfs, p => Assert.Equal(2, p.Count));
    }

    [Fact]
    public void ACountOverTotalVfs_IsOneErrorAtNumVfs_NamingThePfsLimit()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (desired, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno49"},"numVfs":9}]}""");

        var problem = Documents.AtPath(Assert.Single(problems), "pfs[0].numVfs");
        Assert.Equal("pfs[0].numVfs: 9 is more VFs than eno49 (igb 8086:1521, 0000:04:00.0) can have: its sriov_totalvfs is 7.", problem.Message);
        Assert.Empty(desired.Pfs);
    }

    [Fact]
    public void ACountOverTotalVfs_ForAnEntryMatchingSeveralPfs_NamesEachPf()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"driver":"igb"},"numVfs":8}]}""");

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Documents.AtPath(p, "pfs[0].numVfs"));
        Assert.Equal(4, problems.Select(p => p.Message).Distinct().Count());
    }

    [Fact]
    public void TheMostVfsAPfCanHave_IsAccepted()
    {
        using var host = new ConfiguredHost("x540-2port");

        Assert.Equal(63, Assert.Single(host.Desired("""{"pfs":[{"match":{"name":"eno1"},"numVfs":63}]}""").Pfs).Count);
    }

    [Theory]
    [InlineData("\"numVfs\":2,", "\"3\"", "pfs[0].vfs[0].index: VF 3 is beyond the 2 VFs eno49 is to have (0–1).")]
    [InlineData("", "\"5-8\"", "pfs[0].vfs[0].index: VF 8 is beyond the 7 VFs eno49 has (0–6).")]
    [InlineData("\"numVfs\":0,", "0", "pfs[0].vfs[0].index: eno49 is to have no VFs, so there is no VF 0.")]
    public void AVfBeyondTheCount_IsRefusedAtItsIndex_WhetherTheCountIsGivenOrTheHosts(string count, string index, string message)
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve($$"""{"pfs":[{"match":{"name":"eno49"},{{count}}"vfs":[{"index":{{index}},"trust":true}]}]}""");

        Assert.Equal(message, Assert.Single(problems).Message);
    }

    [Fact]
    public void AVfOfAPfWithoutVfs_WhoseEntryGivesNone_IsRefused()
    {
        using var host = new ConfiguredHost("x540-2port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno1"},"vfs":[{"index":0,"vlan":4}]}]}""");

        Assert.Equal("pfs[0].vfs[0].index: eno1 has no VFs, so there is no VF 0.", Assert.Single(problems).Message);
    }

    [Fact]
    public void AVfWithinANewCount_IsGivenItsSettings()
    {
        using var host = new ConfiguredHost("x540-2port");

        var pf = Assert.Single(host.Desired("""{"pfs":[{"match":{"name":"eno1"},"numVfs":4,"vfs":[{"index":"2-3","vlan":4,"trust":true}]}]}""").Pfs);

        Assert.Equal([2, 3], pf.Vfs.Keys);
        Assert.All(pf.Vfs.Values, v => Assert.Equal((4, true), (v.Settings.Vlan, v.Settings.Trust)));
    }

    [Fact]
    public void AutoMacs_FollowTheRule_ForEachVfOfTheRange()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pfs = host.Desired("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-2","mac":"auto"}]},
                    {"match":{"name":"eno52"},"vfs":[{"index":6,"mac":"auto"},{"index":5,"mac":"02:00:00:00:00:05"}]}]}
            """).Pfs;

        Assert.Equal(["32:5e:0f:a0:00:00", "32:5e:0f:a0:00:01", "32:5e:0f:a0:00:02"], pfs[0].Vfs.Values.Select(v => v.Mac));
        Assert.Equal(["02:00:00:00:00:05", "32:5e:0f:a3:00:06"], pfs[1].Vfs.Values.Select(v => v.Mac));
    }

    [Fact]
    public void AutoMacs_ThatCollide_AcrossPfsWhoseMacsFoldAlike_AreRefusedAtTheLaterEntry()
    {
        // 9c:dc:72 folds as 9c:dc:71 does (the two low bits are dropped): eno50's VFs would get eno49's MACs.
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(Eno50Net + "/address", "9c:dc:72:5e:0f:a0\n"));

        var (_, problems) = host.Resolve("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-1","mac":"auto"}]},
                    {"match":{"name":"eno50"},"vfs":[{"index":"1-2","mac":"auto"}]}]}
            """);

        var problem = Documents.AtPath(Assert.Single(problems), "pfs[1].vfs[0].mac");
        Assert.Equal(
            "pfs[1].vfs[0].mac: eno50 vf 1 would get 32:5e:0f:a0:00:01, which eno49 vf 1 gets too: their PFs' MACs derive the same addresses. Give these VFs their MACs in full.",
            problem.Message);
    }

    [Fact]
    public void AutoMacs_ThatCollide_OnEveryVfOfARange_AreOneErrorForTheEntry()
    {
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(Eno50Net + "/address", "9c:dc:72:5e:0f:a0\n"));

        var (_, problems) = host.Resolve("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-6","mac":"auto"}]},
                    {"match":{"name":"eno50"},"vfs":[{"index":"0-6","mac":"auto"}]}]}
            """);

        Assert.StartsWith("pfs[1].vfs[0].mac: eno50 vf 0 would get 32:5e:0f:a0:00:00, which eno49 vf 0 gets too", Assert.Single(problems).Message);
    }

    [Fact]
    public void AMacGivenInFull_OnAnEntryMatchingSeveralPfs_IsOneError_NamingTwoOfTheVfsAndTheCount()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"driver":"igb"},"vfs":[{"index":0,"mac":"02:53:52:00:00:10"}]}]}""");

        // The VFs named in the order of the host's PFs, as the entry matched them.
        var problem = Documents.AtPath(Assert.Single(problems), "pfs[0].vfs[0].mac");
        Assert.Equal(
            "pfs[0].vfs[0].mac: 02:53:52:00:00:10 would go to eno49 vf 0 and to eno50 vf 0 (the entry matches 4 PFs): two VFs with one MAC break forwarding on the PF's switch. Give a MAC to a VF of one PF, or use \"auto\".",
            problem.Message);
    }

    [Fact]
    public void AMacGivenInFull_OnAnEntryMatchingOnePf_IsTaken()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pf = Assert.Single(host.Desired("""{"pfs":[{"match":{"driver":"igb","name":"eno51"},"vfs":[{"index":0,"mac":"02:53:52:00:00:10"}]}]}""").Pfs);

        Assert.Equal("02:53:52:00:00:10", pf.Vfs[0].Mac);
    }

    [Fact]
    public void AMacGivenInFull_ThatAnAutoMacAlsoGets_IsRefused()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"auto"}]},
                    {"match":{"name":"eno51"},"vfs":[{"index":3,"mac":"32:5E:0F:A0:00:00"}]}]}
            """);

        Assert.Equal("pfs[1].vfs[0].mac", Assert.Single(problems).Target);
    }

    [Theory]
    [InlineData("00:00:00:00:00:00")]
    [InlineData("")]
    public void AutoMac_OnAPfWithoutAMac_IsRefusedAtTheMac(string address)
    {
        using var host = new ConfiguredHost("i350-4port", tree => tree.WriteFile(Eno49Net + "/address", address));

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-1","mac":"auto"}]}]}""");

        Assert.Equal(
            "pfs[0].vfs[0].mac: \"auto\" derives each VF's MAC from its PF's, and eno49 has none to read.",
            Assert.Single(problems).Message);
    }

    [Fact]
    public void Drivers_AreTakenAsTheHostRegistersThem()
    {
        using var host = new ConfiguredHost("i350-4port");

        var pf = Assert.Single(host.Desired("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"driver":"vfio_pci"},{"index":1,"driver":"DEFAULT"},{"index":2,"driver":"igbvf"},{"index":3,"vlan":2}]}]}
            """).Pfs);

        Assert.Equal(
            [(0, "vfio-pci", true), (1, null, true), (2, "igbvf", true), (3, null, false)],
            pf.Vfs.Values.Select(v => (v.Index, v.Driver, v.NamesDriver)));
    }

    [Fact]
    public void ADriverTheHostLacks_IsRefusedAtTheDriver()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"driver":"nosuchdrv"}]}]}""");

        var problem = Documents.AtPath(Assert.Single(problems), "pfs[0].vfs[0].driver");
        Assert.StartsWith("pfs[0].vfs[0].driver: There is no PCI driver 'nosuchdrv' on this host", problem.Message);
    }

    [Fact]
    public void LinkOrVfSettings_OnAPfWithoutAnInterface_AreRefusedAtTheEntry()
    {
        using var host = new ConfiguredHost("e810-nodriver");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"deviceId":"8086:1593"},"mtu":9000}]}""");

        var problem = Documents.AtPath(Assert.Single(problems), "pfs[0]");
        Assert.EndsWith("has no interface in this network namespace, and its link and its VFs' settings are set through it.", problem.Message);
    }

    [Fact]
    public void EveryHostProblem_IsCollectedInOnePass()
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""
            {"pfs":[{"match":{"name":"eth9"}},
                    {"match":{"name":"eno49"},"numVfs":9},
                    {"match":{"name":"eno50"},"vfs":[{"index":7},{"index":0,"driver":"nosuchdrv"}]}]}
            """);

        Assert.Equal(["pfs[0].match", "pfs[1].numVfs", "pfs[2].vfs[0].index", "pfs[2].vfs[1].driver"], problems.Select(p => p.Target));
    }
}
