using System.Collections.Generic;
using SriovPS.Snapshot;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// Secrets whose values or keys are spelled in unusual ways the formats allow: each test names the
/// value it must not keep (or the setting it must keep), so a snapshot neither leaks a secret nor
/// saves a file the host would read differently.
/// </summary>
public sealed class SecretRedactionGapTests
{
    private const string Marker = SecretRedaction.Marker;

    private static (string Text, List<SriovRedaction> Redactions) Redact(string text, string path = "/etc/test")
    {
        var redactions = new List<SriovRedaction>();
        return (SecretRedaction.Redact(path, text, redactions), redactions);
    }

    // A keyfile value runs to the end of the line ('#' starts a comment only at a line's start), so all
    // of it is replaced.
    [Fact]
    public void KeyfilePsk_WithAHash_IsReplacedWhole()
    {
        var result = Redact("[wifi-security]\npsk=front#tail-of-psk\n");

        Assert.Equal($"[wifi-security]\npsk={Marker}\n", result.Text);
    }

    // A keyfile value may start with '#', '[', '{' or ','; it is still a value, so it is replaced and listed.
    [Theory]
    [InlineData("psk=#starts-with-hash")]
    [InlineData("psk=[bracketed]")]
    [InlineData("psk={braced}")]
    [InlineData("psk=,comma-first")]
    public void KeyfilePsk_StartingWithAPunctuationMark_IsReplaced(string line)
    {
        var result = Redact("[wifi-security]\n" + line + "\n");

        Assert.Equal($"[wifi-security]\npsk={Marker}\n", result.Text);
        Assert.Equal([new SriovRedaction("/etc/test", 2, "psk")], result.Redactions);
    }

    // In a YAML block mapping a plain scalar may hold ',', ']' and '#' (not after a blank), so the
    // password is replaced whole, not only up to the first of them.
    [Theory]
    [InlineData("pass,word-tail")]
    [InlineData("pass]word-tail")]
    [InlineData("pass#word-tail")]
    public void NetplanPlainPassword_WithFlowCharacters_IsReplacedWhole(string password)
    {
        var result = Redact($"access-points:\n  home:\n    password: {password}\n");

        Assert.DoesNotContain("word-tail", result.Text, System.StringComparison.Ordinal);
    }

    // netplan's NetworkManager passthrough names settings "802-1x.password"; a key may start with a
    // digit, so the EAP password is replaced as well as the psk.
    [Fact]
    public void NetplanPassthrough_8021xPassword_IsReplaced()
    {
        const string yaml = "networkmanager:\n  passthrough:\n    802-1x.password: \"eap-passthrough\"\n    wifi-security.psk: \"psk-passthrough\"\n";
        var result = Redact(yaml);

        Assert.DoesNotContain("psk-passthrough", result.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("eap-passthrough", result.Text, System.StringComparison.Ordinal);
    }

    // Every value in [vpn-secrets] is a secret, so it is replaced also under a key with ':'
    // (openconnect's "form:main:password"), a keyfile key and not YAML "form: ...".
    [Fact]
    public void VpnSecrets_KeyWithColons_IsReplaced()
    {
        var result = Redact("[vpn-secrets]\nform:main:password=openconnect-pw\nlasthost=vpn.example.com\n");

        Assert.DoesNotContain("openconnect-pw", result.Text, System.StringComparison.Ordinal);
    }

    // A secret YAML key whose value starts on the next line is replaced and also listed, so the
    // snapshot's Redacted list names every value it replaced.
    [Fact]
    public void NetplanPassword_OnTheNextLine_IsReplacedAndListed()
    {
        var result = Redact("auth:\n  password:\n    next-line-secret\nmode: x\n");

        Assert.DoesNotContain("next-line-secret", result.Text, System.StringComparison.Ordinal);
        Assert.Equal([new SriovRedaction("/etc/test", 2, "password")], result.Redactions);
    }

    // Keys that only start like a WEP key are not secrets (wep-key-type, wep-key-flags are integers
    // NetworkManager needs; ifupdown's wireless-keymode is open/restricted): they are kept, so
    // NetworkManager or ifupdown reads the saved file as the host did.
    [Theory]
    [InlineData("[wifi-security]\nwep-key-type=1\n")]
    [InlineData("[wifi-security]\nwep-key-flags=0\n")]
    [InlineData("iface wlan0 inet dhcp\n    wireless-keymode open\n")]
    public void WepKeySettingsThatAreNotKeys_AreKept(string text)
    {
        var result = Redact(text);

        Assert.Equal(text, result.Text);
        Assert.Empty(result.Redactions);
    }

    [Fact]
    public void QuotedAndEmptyValues()
    {
        var result = Redact("a:\n  password: 'single'\n  psk: \"\"\n  passphrase: \"with \\\" quote\"\n");

        // Each value keeps its quoting, so the file is YAML of the same shape.
        Assert.Equal($"a:\n  password: '{Marker}'\n  psk: \"\"\n  passphrase: \"{Marker}\"\n", result.Text);
        Assert.Equal([new SriovRedaction("/etc/test", 2, "password"), new SriovRedaction("/etc/test", 4, "passphrase")], result.Redactions);
    }

    [Fact]
    public void CommentedSecrets_AreReplacedToo()
    {
        var result = Redact("[wifi-security]\n#psk=old-secret\n");

        Assert.Equal($"[wifi-security]\n#psk={Marker}\n", result.Text);
    }
}
