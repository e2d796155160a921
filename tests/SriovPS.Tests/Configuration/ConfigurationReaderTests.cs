using System.Linq;
using SriovPS.Configuration;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// Reading a configuration document without a host: every key and its type, and each error naming the
/// JSON path of the value it is about, so a typo is never a setting silently left out.
/// </summary>
public sealed class ConfigurationReaderTests
{
    private const string Everything = """
        {
          "$schema": "./SriovPS.Configuration.schema.json",
          "pfs": [
            { "id": "uplink",
              "match": { "name": "eno49", "pciAddress": "04:00.0", "driver": "igb", "deviceId": "8086:152A" },
              "numVfs": 4, "driversAutoprobe": false, "eswitchMode": "switchdev", "linkState": "up", "mtu": 9000, "persist": true,
              "vfs": [
                { "index": 1, "driver": "vfio-pci" },
                { "index": "2-3", "mac": "auto", "vlan": 10, "qos": 3, "vlanProtocol": "802.1ad", "spoofCheck": true, "trust": false,
                  "linkState": "disable", "minTxRate": 100, "maxTxRate": 1000 },
                { "index": "0", "mac": "02-AB-00-00-00-01", "driver": "default" }
              ] },
            { "match": { "driver": "ixgbe" }, "linkState": "down" }
          ],
          "pools": [ { "name": "sriov-net", "pfs": ["uplink", "eno50"], "autostart": true, "started": false } ],
          "boot": { "iommu": true, "vfioModules": true, "appArmor": true }
        }
        """;

    /// <summary>A PF entry's key with a bad value, in the second entry so the path shows its index.</summary>
    private static string InPf(string field) => """{"pfs":[{"match":{"name":"eno49"}},{"match":{"name":"eno50"},""" + field + "}]}";

    private static string InVf(string field) => InPf($$"""
        "vfs":[{"index":0,{{field}}}]
        """);

    [Fact]
    public void EveryKey_IsRead_IntoTheModel_WithThePathOfItsEntry()
    {
        var document = Documents.Valid(Everything);

        var uplink = document.Pfs[0];
        Assert.Equal(("pfs[0]", "uplink", "eno49", "0000:04:00.0", "igb", "8086:152a"), (uplink.Path, uplink.Id, uplink.Name, uplink.PciAddress, uplink.Driver, uplink.DeviceId));
        Assert.Equal((4, false, EswitchMode.Switchdev, true, 9000, true), (uplink.NumVfs, uplink.DriversAutoprobe, uplink.EswitchMode, uplink.LinkUp, uplink.Mtu, uplink.Persist));
        Assert.Equal(["pfs[0].vfs[0]", "pfs[0].vfs[1]", "pfs[0].vfs[2]"], uplink.Vfs.Select(v => v.Path));

        var (one, range, zero) = (uplink.Vfs[0], uplink.Vfs[1], uplink.Vfs[2]);
        Assert.Equal([1], one.Indexes);
        Assert.Equal(("vfio-pci", false), (one.Driver, one.HasSettings));
        Assert.Equal([2, 3], range.Indexes);
        Assert.True(range.AutoMac);
        Assert.Null(range.MacAddress);
        Assert.Equal((10, 3, "802.1ad", true, false, VfLinkState.Disable, 100, 1000), (range.Vlan, range.Qos, range.VlanProtocol, range.SpoofCheck, range.Trust, range.LinkState, range.MinTxRate, range.MaxTxRate));
        Assert.Equal([0], zero.Indexes);
        Assert.Equal(("02:ab:00:00:00:01", "default", false), (zero.MacAddress, zero.Driver, zero.AutoMac));

        var second = document.Pfs[1];
        Assert.Equal(("ixgbe", false, false, null), (second.Driver, second.LinkUp, second.Persist, second.NumVfs));
        Assert.Null(second.Id);

        var pool = Assert.Single(document.Pools);
        Assert.Equal(("pools[0]", "sriov-net", true, false), (pool.Path, pool.Name, pool.Autostart, pool.Started));
        Assert.Equal(["uplink", "eno50"], pool.Pfs);
        Assert.Equal((true, true, true), (document.Boot!.Iommu, document.Boot.VfioModules, document.Boot.AppArmor));
    }

    [Fact]
    public void AnEmptyDocument_ManagesNothing()
    {
        var document = Documents.Valid("{}");

        Assert.Empty(document.Pfs);
        Assert.Empty(document.Pools);
        Assert.Null(document.Boot);
    }

    [Theory]
    [InlineData("\"id\": 3", "pfs[1].id", "is the number 3; a non-empty string was expected.")]
    [InlineData("\"id\": \"\"", "pfs[1].id", "is the string \"\"; a non-empty string was expected.")]
    [InlineData("\"numVfs\": \"4\"", "pfs[1].numVfs", "is the string \"4\"; a whole number was expected.")]
    [InlineData("\"numVfs\": 1.5", "pfs[1].numVfs", "is the number 1.5; a whole number was expected.")]
    [InlineData("\"numVfs\": 65536", "pfs[1].numVfs", "65536 is outside the VF count range 0–65535.")]
    [InlineData("\"numVfs\": -1", "pfs[1].numVfs", "-1 is outside the VF count range 0–65535.")]
    [InlineData("\"driversAutoprobe\": 1", "pfs[1].driversAutoprobe", "is the number 1; true or false was expected.")]
    [InlineData("\"eswitchMode\": \"offload\"", "pfs[1].eswitchMode", "'offload' is not one of legacy, switchdev.")]
    [InlineData("\"linkState\": \"auto\"", "pfs[1].linkState", "'auto' is not one of down, up.")]
    [InlineData("\"mtu\": 50", "pfs[1].mtu", "50 is outside the MTU range 68–65535.")]
    [InlineData("\"mtu\": 65536", "pfs[1].mtu", "65536 is outside the MTU range 68–65535.")]
    [InlineData("\"persist\": \"yes\"", "pfs[1].persist", "is the string \"yes\"; true or false was expected.")]
    [InlineData("\"vfs\": {}", "pfs[1].vfs", "is an object; an array ([ … ]) was expected.")]
    [InlineData("\"vfs\": [3]", "pfs[1].vfs[0]", "is the number 3; an object ({ … }) was expected.")]
    public void APfKeyWithABadValue_IsOneErrorAtItsPath(string field, string path, string message)
    {
        var problem = Documents.Refused(InPf(field), path);

        Assert.Equal($"{path}: {message}", problem.Message);
    }

    [Theory]
    [InlineData("\"numVfs\": 7.0", 7)]
    [InlineData("\"numVfs\": 7.00", 7)]
    [InlineData("\"numVfs\": 7e0", 7)]
    [InlineData("\"numVfs\": 0.0", 0)]
    [InlineData("\"numVfs\": 1E1", 10)]
    public void AWholeNumberWrittenWithAFraction_IsThatNumber_AsJsonSchemaCountsIt(string field, int count)
    {
        // ConvertTo-Json writes a [double] 7 as 7.0; the schema's "integer" takes it, and so does the reader.
        Assert.Equal(count, Documents.Valid(InPf(field)).Pfs[1].NumVfs);
    }

    [Fact]
    public void WholeNumbersWithAFraction_AreTakenForEveryNumberKey()
    {
        var document = Documents.Valid(InPf("""
            "mtu": 9000.0, "vfs":[{"index":2,"vlan":10.0,"qos":3.0,"minTxRate":0.0,"maxTxRate":1000.0}]
            """));

        var pf = document.Pfs[1];
        var vf = Assert.Single(pf.Vfs);
        Assert.Equal(9000, pf.Mtu);
        Assert.Equal((10, 3, 0, 1000), (vf.Vlan, vf.Qos, vf.MinTxRate, vf.MaxTxRate));
    }

    [Theory]
    [InlineData("\"numVfs\": 7.5", "pfs[1].numVfs", "is the number 7.5; a whole number was expected.")]
    [InlineData("\"numVfs\": 7.0000001", "pfs[1].numVfs", "is the number 7.0000001; a whole number was expected.")]
    [InlineData("\"numVfs\": 1e30", "pfs[1].numVfs", "1e30 is outside the VF count range 0–65535.")]
    [InlineData("\"mtu\": 9000.5", "pfs[1].mtu", "is the number 9000.5; a whole number was expected.")]
    [InlineData("\"numVfs\": 65536.0", "pfs[1].numVfs", "65536 is outside the VF count range 0–65535.")]
    public void ANumberWithARealFraction_OrOutOfRange_IsStillRefused(string field, string path, string message)
    {
        Assert.Equal($"{path}: {message}", Documents.Refused(InPf(field), path).Message);
    }

    [Theory]
    [InlineData("\"vlan\": 5000", "vlan", "5000 is outside the VLAN range 0–4095.")]
    [InlineData("\"vlan\": \"10\"", "vlan", "is the string \"10\"; a whole number was expected.")]
    [InlineData("\"qos\": 8", "qos", "8 is outside the QoS (802.1p priority) range 0–7.")]
    [InlineData("\"vlanProtocol\": \"802.1x\"", "vlanProtocol", "'802.1x' is not one of 802.1Q, 802.1ad.")]
    [InlineData("\"spoofCheck\": \"on\"", "spoofCheck", "is the string \"on\"; true or false was expected.")]
    [InlineData("\"trust\": 0", "trust", "is the number 0; true or false was expected.")]
    [InlineData("\"linkState\": \"up\"", "linkState", "'up' is not one of auto, enable, disable.")]
    [InlineData("\"minTxRate\": -1", "minTxRate", "-1 is outside the minimum rate (Mbit/s) range 0–2147483647.")]
    [InlineData("\"maxTxRate\": \"fast\"", "maxTxRate", "is the string \"fast\"; a whole number was expected.")]
    [InlineData("\"driver\": \"../vfio-pci\"", "driver", "'../vfio-pci' is not a PCI driver name: a name has 1 to 63 letters, digits, '-' or '_', like vfio-pci or igbvf.")]
    [InlineData("\"mac\": \"01:00:5e:00:00:01\"", "mac", "'01:00:5e:00:00:01' is a multicast or broadcast address (the low bit of its first octet is set): a VF needs a unicast MAC.")]
    [InlineData("\"mac\": 2", "mac", "is the number 2; a non-empty string was expected.")]
    public void AVfKeyWithABadValue_IsOneErrorAtItsPath(string field, string key, string message)
    {
        string path = $"pfs[1].vfs[0].{key}";

        var problem = Documents.Refused(InVf(field), path);

        Assert.Equal($"{path}: {message}", problem.Message);
    }

    [Theory]
    [InlineData("\"name\": \"a/b\"", "name", "'a/b' is not a valid interface name: it contains '/'.")]
    [InlineData("\"name\": \"abcdefghijklmnopq\"", "name", "'abcdefghijklmnopq' is not a valid interface name: it has 17 characters, more than the kernel's 15.")]
    [InlineData("\"pciAddress\": \"zz\"", "pciAddress", "'zz' is not a PCI address.")]
    [InlineData("\"driver\": 5", "driver", "is the number 5; a non-empty string was expected.")]
    [InlineData("\"deviceId\": \"8086-1521\"", "deviceId", "'8086-1521' is not a vendor:device id such as 8086:1521 (four hexadecimal digits each, as lspci -n shows them).")]
    [InlineData("\"deviceId\": \"8086:15zz\"", "deviceId", "'8086:15zz' is not a vendor:device id such as 8086:1521 (four hexadecimal digits each, as lspci -n shows them).")]
    public void AMatchCriterionWithABadValue_IsOneErrorAtItsPath(string field, string key, string message)
    {
        string path = $"pfs[1].match.{key}";

        var problem = Documents.Refused("""{"pfs":[{"match":{"name":"eno49"}},{"match":{""" + field + "}}]}", path);

        Assert.Equal($"{path}: {message}", problem.Message);
    }

    [Theory]
    [InlineData("""{"pfs":{}}""", "pfs", "is an object; an array ([ … ]) was expected.")]
    [InlineData("""{"pfs":["eno49"]}""", "pfs[0]", "is the string \"eno49\"; an object ({ … }) was expected.")]
    [InlineData("""{"pools":[{"name":"p","pfs":"eno49"}]}""", "pools[0].pfs", "is the string \"eno49\"; an array ([ … ]) was expected.")]
    [InlineData("""{"pools":[{"name":"p","pfs":["eno49",3]}]}""", "pools[0].pfs[1]", "is the number 3; a PF entry's id or a PF's interface name was expected.")]
    [InlineData("""{"pools":[{"name":"p","pfs":["eno49"],"autostart":"yes"}]}""", "pools[0].autostart", "is the string \"yes\"; true or false was expected.")]
    [InlineData("""{"pools":[{"name":"p","pfs":["eno49"],"started":1}]}""", "pools[0].started", "is the number 1; true or false was expected.")]
    [InlineData("""{"pools":[{"name":"","pfs":["eno49"]}]}""", "pools[0].name", "is the string \"\"; a non-empty string was expected.")]
    [InlineData("""{"boot":[]}""", "boot", "is an array; an object ({ … }) was expected.")]
    [InlineData("""{"boot":{"iommu":"yes"}}""", "boot.iommu", "is the string \"yes\"; true or false was expected.")]
    public void OtherBadValues_AreOneErrorAtTheirPath(string json, string path, string message)
    {
        var problem = Documents.Refused(json, path);

        Assert.Equal($"{path}: {message}", problem.Message);
    }

    [Theory]
    [InlineData("[1]", "The document: is an array; an object ({ … }) was expected.")]
    [InlineData("\"pfs\"", "The document: is the string \"pfs\"; an object ({ … }) was expected.")]
    public void ADocumentThatIsNoObject_IsAnErrorAboutTheWholeDocument(string json, string message)
    {
        var problem = Assert.Single(Documents.Read(json).Problems);

        Assert.Equal(("$", message), (problem.Target, problem.Message));
    }

    [Fact]
    public void TextThatIsNotJson_IsOneErrorSayingWhereTheParserStopped()
    {
        var problem = Assert.Single(Documents.Read("{\"pfs\": [ }").Problems);

        Assert.Equal("$", problem.Target);
        Assert.StartsWith("The document: is not JSON: ", problem.Message);
        Assert.Contains("LineNumber: 0", problem.Message);
    }

    [Theory]
    [InlineData("""{"pfs":[{"match":{"name":"eno49"},"numVf":2}]}""", "pfs[0].numVf", "numVfs", "pfs[0]")]
    [InlineData("""{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"vlna":3}]}]}""", "pfs[0].vfs[0].vlna", "vlan", "pfs[0].vfs[0]")]
    [InlineData("""{"pfs":[{"match":{"name":"eno49","drivr":"igb"}}]}""", "pfs[0].match.drivr", "driver", "pfs[0].match")]
    [InlineData("""{"pfs":[{"match":{"name":"eno49"},"MTUU":9000}]}""", "pfs[0].MTUU", "mtu", "pfs[0]")]
    [InlineData("""{"pool":[]}""", "pool", "pools", "the document")]
    [InlineData("""{"boot":{"iommmu":true}}""", "boot.iommmu", "iommu", "boot")]
    public void AMisspeltKey_IsAnError_ThatSaysWhichKeyWasMeant(string json, string path, string meant, string parent)
    {
        var problem = Documents.Refused(json, path);

        Assert.StartsWith($"{path}: is not a key of {parent}: did you mean '{meant}'? It may have: ", problem.Message);
    }

    [Fact]
    public void AnUnknownKeyNearNoKey_ListsTheKeysTheObjectMayHave()
    {
        var problem = Documents.Refused("""{"pools":[{"name":"p","pfs":["a"],"colour":"red"}]}""", "pools[0].colour");

        Assert.Equal("pools[0].colour: is not a key of pools[0]. It may have: name, pfs, autostart, started.", problem.Message);
    }

    [Fact]
    public void KeysAreReadInAnyCase_AsAPowerShellHashtableHasThem()
    {
        var document = Documents.Valid("""
            {"PFS":[{"Match":{"NAME":"eno49","PciAddress":"04:00.0"},"NumVFs":2,"PERSIST":true,
                     "Vfs":[{"INDEX":1,"Vlan":7,"MAC":"AUTO","SpoofCHECK":false}]}],
             "Pools":[{"NAME":"p","PFS":["eno49"],"AutoStart":true}],
             "BOOT":{"IOMMU":true}}
            """);

        var pf = Assert.Single(document.Pfs);
        Assert.Equal(("eno49", "0000:04:00.0", 2, true), (pf.Name, pf.PciAddress, pf.NumVfs, pf.Persist));
        var vf = Assert.Single(pf.Vfs);
        Assert.Equal([1], vf.Indexes);
        Assert.Equal((7, true, false), (vf.Vlan, vf.AutoMac, vf.SpoofCheck));
        Assert.Equal(true, Assert.Single(document.Pools).Autostart);
        Assert.True(document.Boot!.Iommu);
    }

    [Theory]
    [InlineData("""{"pfs":[{"match":{"name":"eno49"},"numVfs":2,"NUMVFS":3}]}""", "pfs[0].NUMVFS")]
    [InlineData("""{"pfs":[{"match":{"name":"eno49"},"numVfs":2,"numVfs":2}]}""", "pfs[0].numVfs")]
    [InlineData("""{"pfs":[{"match":{"name":"eno49","Name":"eno50"}}]}""", "pfs[0].match.Name")]
    public void AKeyGivenTwice_InAnyCase_IsAnErrorAtItsSecondSpelling(string json, string path)
    {
        var problem = Documents.Refused(json, path);

        Assert.Equal($"{path}: is given twice (keys are read in any case).", problem.Message);
    }

    [Fact]
    public void CommentsAndTrailingCommas_AreAccepted()
    {
        var document = Documents.Valid("""
            {
              // the uplink of every rack
              "pfs": [
                { "match": { "name": "eno49", }, /* four for the guests */ "numVfs": 4, },
              ],
            }
            """);

        Assert.Equal(4, Assert.Single(document.Pfs).NumVfs);
    }

    [Fact]
    public void DollarSchema_IsAcceptedAtTheRootOnly()
    {
        Documents.Valid("""{"$schema":"https://example.org/s.json","pfs":[]}""");

        var problem = Documents.Refused("""{"pfs":[{"$schema":"s.json","match":{"name":"eno49"}}]}""", "pfs[0].$schema");
        Assert.StartsWith("pfs[0].$schema: is not a key of pfs[0]", problem.Message);
    }

    [Fact]
    public void EveryProblem_IsCollectedInOneRead_InTheOrderOfTheDocument()
    {
        var (_, problems) = Documents.Read("""
            {"pfs":[{"match":{"name":"eno49"},"numVfs":70000,"colour":"red",
                     "vfs":[{"index":"0-3","vlan":5000},{"index":"2-5","mac":"01:00:00:00:00:01"}]}],
             "boot":{"iommu":false}}
            """);

        Assert.Equal(
            ["pfs[0].colour", "pfs[0].numVfs", "pfs[0].vfs[0].vlan", "pfs[0].vfs[1].mac", "pfs[0].vfs[1].index", "boot.iommu"],
            problems.Select(p => p.Target));
        Assert.All(problems, p => Documents.AtPath(p, (string)p.Target!));
    }
}
