using System.Linq;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// What the reader checks across values without a host: VF indexes and ranges, MACs given once, one
/// entry per VF, what persist and boot may say, what a pool and a match must name, ids given once.
/// </summary>
public sealed class ConfigurationReaderRuleTests
{
    private static string WithVfs(string vfs) => $$"""{"pfs":[{"match":{"name":"eno49"},"vfs":[{{vfs}}]}]}""";

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("\"3\"", new[] { 3 })]
    [InlineData("\"0-3\"", new[] { 0, 1, 2, 3 })]
    [InlineData("\"5-5\"", new[] { 5 })]
    [InlineData("65534", new[] { 65534 })]
    [InlineData("3.0", new[] { 3 })]
    public void AnIndex_IsANumber_ANumberAsText_OrARange(string index, int[] indexes)
    {
        var document = Documents.Valid(WithVfs($$"""{"index":{{index}}}"""));

        Assert.Equal(indexes, Assert.Single(Assert.Single(document.Pfs).Vfs).Indexes);
    }

    [Theory]
    [InlineData("-1", "is the number -1; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\"-1\"", "is the string \"-1\"; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\"a\"", "is the string \"a\"; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\"\"", "is the string \"\"; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\" 3\"", "is the string \" 3\"; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\"1-2-3\"", "is the string \"1-2-3\"; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("3.5", "is the number 3.5; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("true", "is true; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("[0,1]", "is an array; a VF number (3) or a range (\"0-3\") was expected.")]
    [InlineData("\"3-0\"", "\"3-0\" runs backwards: write the lower VF first (\"0-3\").")]
    [InlineData("\"0-65535\"", "VF 65535 is beyond the 65535 VFs a PCI function can have.")]
    [InlineData("null", "is null: leave the key out to leave the setting alone, or give it a value.")]
    public void AnIndexThatNamesNoVf_IsRefusedAtItsPath(string index, string message)
    {
        var problem = Documents.Refused(WithVfs($$"""{"index":{{index}},"vlan":1}"""), "pfs[0].vfs[0].index");

        Assert.Equal("pfs[0].vfs[0].index: " + message, problem.Message);
    }

    [Fact]
    public void AVfEntryWithoutAnIndex_IsRefused()
    {
        Documents.Refused(WithVfs("""{"vlan":1}"""), "pfs[0].vfs[0].index");
    }

    [Fact]
    public void AMacGivenInFull_ToARange_IsRefused_ForItWouldBeOneMacOnSeveralVfs()
    {
        var problem = Documents.Refused(WithVfs("""{"index":"0-3","mac":"02:00:00:00:00:01"}"""), "pfs[0].vfs[0].mac");

        Assert.Equal(
            "pfs[0].vfs[0].mac: gives 02:00:00:00:00:01 to 4 VFs; two VFs with one MAC break forwarding on the PF's switch. Give each VF its own MAC, or \"auto\".",
            problem.Message);
    }

    [Fact]
    public void AutoMac_OnARange_IsAccepted_InAnyCase()
    {
        var vf = Assert.Single(Documents.Valid(WithVfs("""{"index":"0-3","mac":"Auto"}""")).Pfs[0].Vfs);

        Assert.True(vf.AutoMac);
        Assert.True(vf.SetsMac);
    }

    [Fact]
    public void OneMacForTwoVfs_OfDifferentPfs_InAnySpelling_IsRefusedAtTheSecond()
    {
        var problem = Documents.Refused("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"02:00:00:00:00:01"}]},
                    {"match":{"name":"eno50"},"vfs":[{"index":0,"mac":"02-00-00-00-00-01"}]}]}
            """, "pfs[1].vfs[0].mac");

        Assert.Equal(
            "pfs[1].vfs[0].mac: 02:00:00:00:00:01 is also given by pfs[0].vfs[0]: two VFs with one MAC break forwarding on the PF's switch.",
            problem.Message);
    }

    [Fact]
    public void OverlappingRanges_OnOnePf_AreRefusedAtTheLaterEntry_OncePerEntry()
    {
        var (_, problems) = Documents.Read(WithVfs("""{"index":"0-3"},{"index":"2-5"},{"index":3},{"index":"6"}"""));

        Assert.Equal(
            ["pfs[0].vfs[1].index: VF 2 is also named by pfs[0].vfs[0]: each VF may be named once per PF.",
             "pfs[0].vfs[2].index: VF 3 is also named by pfs[0].vfs[0]: each VF may be named once per PF."],
            problems.Select(p => p.Message));
    }

    [Fact]
    public void TheSameRange_OnTwoPfs_IsAccepted()
    {
        Documents.Valid("""
            {"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-3","vlan":5}]},
                    {"match":{"name":"eno50"},"vfs":[{"index":"0-3","vlan":5}]}]}
            """);
    }

    [Theory]
    [InlineData("""{"index":0,"vlan":0,"qos":3}""", "qos", "3 is the priority of the VF's VLAN tag, and vlan 0 sends it untagged: give a VLAN from 1 to 4095, or leave qos out.")]
    [InlineData("""{"index":0,"vlan":0,"vlanProtocol":"802.1ad"}""", "vlanProtocol", "802.1ad names the tag to push, and vlan 0 sends the VF's frames untagged: give a VLAN from 1 to 4095.")]
    [InlineData("""{"index":0,"minTxRate":100,"maxTxRate":10}""", "minTxRate", "100 Mbit/s is above maxTxRate 10: raise maxTxRate, or make it 0 (no limit).")]
    public void ValuesThatContradictEachOther_AreRefusedAtTheKeyThatCannotHold_InTheDocumentsWords(string vf, string key, string message)
    {
        string path = $"pfs[0].vfs[0].{key}";

        var problem = Documents.Refused(WithVfs(vf), path);

        Assert.Equal($"{path}: {message}", problem.Message);
    }

    [Theory]
    [InlineData("""{"index":0,"vlan":5,"qos":3,"vlanProtocol":"802.1ad"}""")]
    [InlineData("""{"index":0,"vlan":0,"qos":0,"vlanProtocol":"802.1Q"}""")]
    [InlineData("""{"index":0,"qos":3}""")]
    [InlineData("""{"index":0,"minTxRate":100,"maxTxRate":0}""")]
    [InlineData("""{"index":0,"minTxRate":100,"maxTxRate":100}""")]
    public void ValuesThatHoldTogether_AreAccepted(string vf)
    {
        // Only vlan 0 contradicts qos and 802.1ad; maxTxRate 0 is no limit, so no minimum is above it.
        Assert.Single(Documents.Valid(WithVfs(vf)).Pfs[0].Vfs);
    }

    [Fact]
    public void AllThreeContradictions_InOneEntry_AreThreeErrors_EachAtItsKey()
    {
        var (_, problems) = Documents.Read(WithVfs("""{"index":0,"vlan":0,"qos":1,"vlanProtocol":"802.1AD","minTxRate":9,"maxTxRate":8}"""));

        Assert.Equal(["pfs[0].vfs[0].qos", "pfs[0].vfs[0].vlanProtocol", "pfs[0].vfs[0].minTxRate"], problems.Select(p => p.Target));
    }

    [Theory]
    [InlineData("\"numVfs\":4")]
    [InlineData("\"numVfs\":0")]
    [InlineData("\"mtu\":9000")]
    [InlineData("\"linkState\":\"up\"")]
    [InlineData("\"vfs\":[{\"index\":0,\"driver\":\"vfio-pci\"}]")]
    [InlineData("\"vfs\":[{\"index\":0,\"vlan\":3},{\"index\":1,\"driver\":\"default\"}]")]
    public void Persist_IsAccepted_WithSomethingToKeepAcrossBoots(string field)
    {
        Assert.True(Documents.Valid($$"""{"pfs":[{"match":{"name":"eno49"},"persist":true,{{field}}}]}""").Pfs[0].Persist);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"driversAutoprobe\":false")]
    [InlineData(",\"eswitchMode\":\"switchdev\"")]
    [InlineData(",\"vfs\":[]")]
    [InlineData(",\"vfs\":[{\"index\":0,\"vlan\":3,\"trust\":true}]")]
    [InlineData(",\"vfs\":[{\"index\":\"0-3\",\"mac\":\"auto\"},{\"index\":4,\"spoofCheck\":false}]")]
    public void Persist_WithNothingToPersist_IsRefused_VfSettingsAlone_AreNotKeptAcrossBoots(string field)
    {
        var problem = Documents.Refused($$"""{"pfs":[{"match":{"name":"eno49"},"persist":true{{field}}}]}""", "pfs[0].persist");

        Assert.Equal(
            "pfs[0].persist: keeps the VF count, the VF drivers and the PF's link across boots, and this entry names none of them (VF settings are the running kernel's and are not kept).",
            problem.Message);
    }

    [Fact]
    public void PersistFalse_NeedsNothingElse()
    {
        Assert.False(Documents.Valid("""{"pfs":[{"match":{"name":"eno49"},"persist":false}]}""").Pfs[0].Persist);
    }

    [Fact]
    public void BootFalse_IsRefused_ForEachKey_TheModuleNeverRemovesBootSettings()
    {
        var (document, problems) = Documents.Read("""{"boot":{"iommu":false,"vfioModules":false,"appArmor":true}}""");

        Assert.Equal(["boot.iommu", "boot.vfioModules"], problems.Select(p => p.Target));
        Assert.All(problems, p => Assert.EndsWith(
            ": false is not something the module does: it adds boot settings, never removes them. Leave the key out to leave it alone.", p.Message));
        Assert.Equal((false, false, true), (document.Boot!.Iommu, document.Boot.VfioModules, document.Boot.AppArmor));
    }

    [Fact]
    public void AnEmptyBoot_AsksForNothing()
    {
        var boot = Documents.Valid("""{"boot":{}}""").Boot!;

        Assert.Equal((false, false, false), (boot.Iommu, boot.VfioModules, boot.AppArmor));
    }

    [Fact]
    public void APoolWithoutName_OrWithoutPfs_IsRefused_NamingTheMissingKey()
    {
        var (document, problems) = Documents.Read("""{"pools":[{"pfs":["eno49"]},{"name":"q"}]}""");

        Assert.Equal(
            ["pools[0].name: is missing: name the libvirt network.",
             "pools[1].pfs: is missing: name the PFs whose VFs the pool hands out (a PF entry's id, or an interface name)."],
            problems.Select(p => p.Message));
        Assert.Equal(["q"], document.Pools.Select(p => p.Name));
    }

    [Theory]
    [InlineData("""{"pools":[{"name":null,"pfs":["eno49"]}]}""", "pools[0].name", "is null: leave the key out to leave the setting alone, or give it a value.")]
    [InlineData("""{"pools":[{"name":"q","pfs":[]}]}""", "pools[0].pfs", "is empty: name the PFs whose VFs the pool hands out (a PF entry's id, or an interface name).")]
    [InlineData("""{"pools":[{"name":"q","pfs":null}]}""", "pools[0].pfs", "is null: leave the key out to leave the setting alone, or give it a value.")]
    public void APoolWhoseNameOrPfsAreNullOrEmpty_IsOneErrorAtThatKey_NotDropped(string json, string path, string message)
    {
        var (_, problems) = Documents.Read(json);

        Assert.Equal([$"{path}: {message}"], problems.Select(p => p.Message));
        Documents.AtPath(problems[0], path);
    }

    [Fact]
    public void IdsAndPoolNames_GivenTwice_AreRefusedAtTheSecond()
    {
        var (_, problems) = Documents.Read("""
            {"pfs":[{"id":"a","match":{"name":"eno49"}},{"id":"a","match":{"name":"eno50"}},{"id":"A","match":{"name":"eno51"}}],
             "pools":[{"name":"p","pfs":["a"]},{"name":"p","pfs":["A"]}]}
            """);

        Assert.Equal(
            ["pfs[1].id: 'a' is also the id of pfs[0].", "pools[1].name: the network 'p' is also described by pools[0]."],
            problems.Select(p => p.Message));
    }

    [Theory]
    [InlineData("""{"pfs":[{"numVfs":1}]}""", "pfs[0].match", "is missing: say which PFs the entry is for by name, pciAddress, driver or deviceId.")]
    [InlineData("""{"pfs":[{"match":null,"numVfs":1}]}""", "pfs[0].match", "is null: leave the key out to leave the setting alone, or give it a value.")]
    [InlineData("""{"pfs":[{"match":{},"numVfs":1}]}""", "pfs[0].match", "names nothing to match: give name, pciAddress, driver or deviceId.")]
    public void AnEntryThatMatchesNothing_IsRefused(string json, string path, string message)
    {
        Assert.Equal($"{path}: {message}", Documents.Refused(json, path).Message);
    }

    [Theory]
    [InlineData("""{"pfs":[{"match":{"name":null},"numVfs":1}]}""", new[] { "pfs[0].match.name" })]
    [InlineData("""{"pfs":[{"match":{"name":"eno49","pciAddress":null},"numVfs":1}]}""", new[] { "pfs[0].match.pciAddress" })]
    [InlineData("""{"pfs":[{"match":{"driver":null,"deviceId":null},"numVfs":1}]}""", new[] { "pfs[0].match.driver", "pfs[0].match.deviceId" })]
    public void ANullMatchCriterion_IsOneErrorAtThatCriterion_AndNoSecondForTheMatch(string json, string[] paths)
    {
        // A null criterion would otherwise leave the entry matching more PFs than written, or every PF.
        var (document, problems) = Documents.Read(json);

        Assert.Equal(paths, problems.Select(p => p.Target));
        Assert.All(problems, p => Assert.EndsWith(": is null: leave the key out to leave the setting alone, or give it a value.", p.Message));
        Assert.Null(document.Pfs[0].PciAddress);
    }

    [Theory]
    [InlineData("\"numVfs\":null", "pfs[0].numVfs")]
    [InlineData("\"persist\":null", "pfs[0].persist")]
    [InlineData("\"linkState\":null", "pfs[0].linkState")]
    [InlineData("\"vfs\":null", "pfs[0].vfs")]
    [InlineData("\"vfs\":[{\"index\":0,\"mac\":null}]", "pfs[0].vfs[0].mac")]
    [InlineData("\"vfs\":[{\"index\":0,\"trust\":null}]", "pfs[0].vfs[0].trust")]
    [InlineData("\"vfs\":[{\"index\":0,\"driver\":null}]", "pfs[0].vfs[0].driver")]
    [InlineData("\"vfs\":[{\"index\":0,\"minTxRate\":null}]", "pfs[0].vfs[0].minTxRate")]
    public void ANullValue_IsOneErrorAtItsKey_ForANullIsNotLeaveItAlone(string field, string path)
    {
        var problem = Documents.Refused($$"""{"pfs":[{"match":{"name":"eno49"},{{field}}}]}""", path);

        Assert.Equal($"{path}: is null: leave the key out to leave the setting alone, or give it a value.", problem.Message);
    }

    [Theory]
    [InlineData("""{"pfs":null}""", "pfs")]
    [InlineData("""{"pools":null}""", "pools")]
    [InlineData("""{"boot":null}""", "boot")]
    [InlineData("""{"boot":{"iommu":null}}""", "boot.iommu")]
    [InlineData("""{"pools":[{"name":"q","pfs":["eno49"],"started":null}]}""", "pools[0].started")]
    [InlineData("""{"pfs":[{"id":null,"match":{"name":"eno49"}}]}""", "pfs[0].id")]
    public void ANullValue_ElsewhereInTheDocument_IsOneErrorAtItsKey(string json, string path)
    {
        Assert.EndsWith(": is null: leave the key out to leave the setting alone, or give it a value.", Documents.Refused(json, path).Message);
    }
}
