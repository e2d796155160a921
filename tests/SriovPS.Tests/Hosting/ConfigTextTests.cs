using System;
using System.Text;
using SriovPS.Hosting;
using Xunit;

namespace SriovPS.Tests.Hosting;

/// <summary>A configuration file's bytes as text and back: byte for byte, whatever is not UTF-8 in it.</summary>
public sealed class ConfigTextTests
{
    [Theory]
    [InlineData("23204ce967726f75700a")] // "# Légroup\n" in Latin-1: a lone 0xE9
    [InlineData("efbbbf475255423d310a")] // a UTF-8 byte order mark
    [InlineData("c3")] // a sequence cut at the end
    [InlineData("e282")] // two bytes of a three-byte sequence
    [InlineData("eda080")] // an encoded surrogate, which UTF-8 forbids
    [InlineData("f09f9880ff00c3a9")] // a four-byte character, 0xFF, NUL, é
    [InlineData("")]
    public void Decode_ThenEncode_GivesTheSameBytes(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);

        Assert.Equal(hex, Convert.ToHexString(ConfigText.Encode(ConfigText.Decode(bytes))).ToLowerInvariant());
    }

    [Fact]
    public void Decode_ReadsUtf8AsUtf8_SoEditsSeeTheCharacters()
    {
        Assert.Equal("café ✓\n", ConfigText.Decode(Encoding.UTF8.GetBytes("café ✓\n")));
        Assert.False(ConfigText.HasEscapedBytes("café ✓\n"));
    }

    [Fact]
    public void TextAddedBesideABadByte_IsWrittenAsUtf8_AndTheByteAsItWas()
    {
        string text = ConfigText.Decode([(byte)'#', 0xE9, (byte)'\n']);

        byte[] written = ConfigText.Encode(text + "é\n");

        Assert.Equal("23e90ac3a90a", Convert.ToHexString(written).ToLowerInvariant());
        Assert.Equal("#\\xE9", ConfigText.Printable(text.TrimEnd('\n')));
    }

    [Fact]
    public void Encode_RefusesALoneHighSurrogate_WhichStandsForNoByte()
    {
        Assert.Throws<ArgumentException>(() => ConfigText.Encode("a\uD800b"));
    }
}
