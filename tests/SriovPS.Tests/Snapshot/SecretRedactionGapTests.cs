using System.Collections.Generic;
using SriovPS.Snapshot;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// Secrets whose values or keys are spelled in ways the formats allow but the redaction reads
/// differently: each test names the value it must not keep. Tests marked "Defect" fail on the
/// current module and show what a snapshot would leak or break.
/// </summary>
public sealed class SecretRedactionGapTests
{
    private const string Marker = SecretRedaction.Marker;

    private static (string Text, List<SriovRedaction> Redactions) Redact(string text, string path = "/etc/test")
    {
        var redactions = new List<SriovRedaction>();
        return (SecretRedaction.Redact(path, text, redactions), redactions);
    }

    // Defect: a keyfile value runs to the end of the line ('#' starts a comment only at a line's start),
    // but the redaction stops at '#', so the rest of the passphrase stays in the snapshot.
    [Fact]
    public void KeyfilePsk_WithAHash_IsReplacedWhole()
    {
        var result = Redact("[wifi-security]\npsk=front#tail-of-psk\n");

        Assert.Equal($"[wifi-security]\npsk={Marker}\n", result.Text);
    }

    // Defect: a keyfile value may start with '#', '[' or '{'; the redaction sees no value and keeps it all.
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

    // Defect: in a YAML block mapping a plain scalar may hold ',', ']' and '#' (not after a blank);
    // the redaction stops at the first of them and the rest of the password stays.
    [Theory]
    [InlineData("pass,word-tail")]
    [InlineData("pass]word-tail")]
    [InlineData("pass#word-tail")]
    public void NetplanPlainPassword_WithFlowCharacters_IsReplacedWhole(string password)
    {
        var result = Redact($"access-points:\n  home:\n    password: {password}\n");

        Assert.DoesNotContain("word-tail", result.Text, System.StringComparison.Ordinal);
    }

    // Defect: netplan's NetworkManager passthrough names settings "802-1x.password"; a key starting
    // with a digit is not read as a key, so the EAP password stays.
    [Fact]
    public void NetplanPassthrough_8021xPassword_IsReplaced()
    {
        const string yaml = "networkmanager:\n  passthrough:\n    802-1x.password: \"eap-passthrough\"\n    wifi-security.psk: \"psk-passthrough\"\n";
        var result = Redact(yaml);

        Assert.DoesNotContain("psk-passthrough", result.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("eap-passthrough", result.Text, System.StringComparison.Ordinal);
    }

    // Defect: [vpn-secrets] promises every value, but a key with ':' (openconnect's "form:main:password")
    // is read as YAML "form: ..." and kept.
    [Fact]
    public void VpnSecrets_KeyWithColons_IsReplaced()
    {
        var result = Redact("[vpn-secrets]\nform:main:password=openconnect-pw\nlasthost=vpn.example.com\n");

        Assert.DoesNotContain("openconnect-pw", result.Text, System.StringComparison.Ordinal);
    }

    // Defect: a secret YAML key whose value starts on the next line is replaced, but no redaction
    // names it, so the snapshot's Redacted list misses it.
    [Fact]
    public void NetplanPassword_OnTheNextLine_IsReplacedAndListed()
    {
        var result = Redact("auth:\n  password:\n    next-line-secret\nmode: x\n");

        Assert.DoesNotContain("next-line-secret", result.Text, System.StringComparison.Ordinal);
        Assert.Equal([new SriovRedaction("/etc/test", 2, "password")], result.Redactions);
    }

    // Defect: keys that only start like a WEP key are not secrets (wep-key-type, wep-key-flags are
    // integers NetworkManager needs; ifupdown's wireless-keymode is open/restricted): replacing them
    // makes the saved file one NetworkManager or ifupdown would not read as the host did.
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
