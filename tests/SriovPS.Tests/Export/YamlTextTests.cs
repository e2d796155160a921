using System.Linq;
using System.Text.Json.Nodes;
using SriovPS.Export;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Export;

/// <summary>The YAML the module writes, read back by a YAML 1.2 parser: every value as written, whatever it holds.</summary>
public sealed class YamlTextTests
{
    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("0x10")]
    [InlineData("1e3")]
    [InlineData("007")]
    [InlineData("")]
    [InlineData(" leading and trailing ")]
    [InlineData("a: b # not a comment")]
    [InlineData("- not a list")]
    [InlineData("quote \" and backslash \\ and 'single'")]
    [InlineData("line\nbreak\ttab\r")]
    [InlineData("control \u0001 \u007f \u0085 \u2028 \ufeff")]
    [InlineData("ünïcödé ✓ 𝄞")]
    [InlineData("{\"vlan\":0,\"name\":\"it's\"}")]
    public void AString_ReadsBackAsThatString(string value)
    {
        var map = new YamlMap().Add("value", value).Add("single", YamlText.SingleQuoted(value));

        var read = YamlDocuments.Single(YamlText.Document(map));

        Assert.Equal(value, (string?)read["value"]);
        Assert.Equal(value, (string?)read["single"]);
    }

    [Theory]
    [InlineData("k8s.v1.cni.cncf.io/resourceName", true)]
    [InlineData("sr-iov", true)]
    [InlineData("on", false)]
    [InlineData("with space", false)]
    [InlineData("1abc", false)]
    [InlineData("ends.", false)]
    public void AKey_IsPlainOnlyWhenNothingElseCanBeReadIntoIt(string key, bool plain)
    {
        var read = YamlDocuments.Single(YamlText.Document(new YamlMap().Add(key, 1)));

        Assert.Equal(1, (int)read[key]!);
        Assert.Equal(plain, !YamlText.Key(key).StartsWith('"'));
    }

    [Fact]
    public void NestedMapsAndLists_KeepTheirShapeAndTypes()
    {
        var document = new YamlMap()
            .Add("interfaces", new YamlList([
                new YamlMap().Add("name", "eth0").Add("mtu", 9000).Add("ipv4", new YamlMap().Add("enabled", false))
                    .Add("vfs", new YamlList([new YamlMap().Add("id", 0), new YamlMap().Add("id", 1).Add("trust", true)])),
                new YamlMap().Add("empty", new YamlMap()).Add("none", new YamlList()),
            ]))
            .Add("names", YamlList.Of(["a", "b"]))
            .Add("nested", new YamlList([YamlList.Of(["x"])]));

        var read = YamlDocuments.Single(YamlText.Document(document));

        Assert.Equal(
            """{"interfaces":[{"name":"eth0","mtu":9000,"ipv4":{"enabled":false},"vfs":[{"id":0},{"id":1,"trust":true}]},{"empty":{},"none":[]}],"names":["a","b"],"nested":[["x"]]}""",
            read.ToJsonString());
    }

    [Fact]
    public void SeveralDocuments_AreEachStartedWithThreeDashes()
    {
        string text = YamlText.Documents([new YamlMap().Add("a", 1), new YamlMap().Add("b", "2")]);

        var read = YamlDocuments.Parse(text);

        Assert.Equal(["{\"a\":1}", "{\"b\":\"2\"}"], read.Select(d => d!.ToJsonString()));
        Assert.StartsWith("---\n", text);
    }
}
