using System.Collections.Generic;
using SriovPS.Snapshot;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// Secrets in the further shapes the formats allow: MACsec keys, raw and WEP keys under any prefix,
/// values below their key whatever their indicator, commented or continued values, ifupdown commands,
/// and the words of kernel command lines. Each names what must not be kept, and that it is listed.
/// </summary>
public sealed class SecretShapesTests
{
    private const string Marker = SecretRedaction.Marker;

    private static (string Text, List<SriovRedaction> Redactions) Redact(string path, string text)
    {
        var redactions = new List<SriovRedaction>();
        return (SecretRedaction.Redact(path, text, redactions), redactions);
    }

    [Theory]
    [InlineData("/etc/systemd/network/m.netdev", "[MACsecTransmitAssociation]\nKey=LEAK\n", "Key")]
    [InlineData("/etc/NetworkManager/system-connections/a.nmconnection", "[802-1x]\npassword-raw=4c45414b\n", "password-raw")]
    [InlineData("/etc/NetworkManager/system-connections/a.nmconnection", "[macsec]\nmka-cak=LEAK\nmka-ckn=0123\n", "mka-cak")]
    [InlineData("/etc/network/interfaces", "iface wlan0 inet dhcp\n    wpa-wep-key0 LEAK\n", "wpa-wep-key0")]
    [InlineData("/etc/systemd/network/wg.netdev", "[WireGuard]\n;PrivateKey=LEAK\n", "PrivateKey")]
    [InlineData("/etc/netplan/02.yaml", "network:\n  tunnels:\n    wg0:\n      keys: LEAK\n", "keys")]
    [InlineData("/etc/netplan/01.yaml", "passthrough:\n  \"wifi-security.wep-key0\": LEAK\n", "wifi-security.wep-key0")]
    [InlineData("/etc/netplan/01.yaml", "passthrough:\n  \"macsec.mka-cak\": LEAK\n", "macsec.mka-cak")]
    public void A_secret_key_of_any_format_is_replaced_and_listed(string path, string text, string key)
    {
        var (redacted, redactions) = Redact(path, text);

        Assert.DoesNotContain("LEAK", redacted);
        Assert.Contains(Marker, redacted);
        Assert.Contains(redactions, r => r.Key == key);
    }

    [Theory]
    [InlineData("password: # the new one\n  LEAK\nmode: x\n")]
    [InlineData("password: |2\n    LEAK\nmode: x\n")]
    [InlineData("password: !!str |\n  LEAK\nmode: x\n")]
    [InlineData("password: &a >-\n  LEAK\nmode: x\n")]
    [InlineData("password: first\n  LEAK\nmode: x\n")]
    [InlineData("password: \"first\n  LEAK\"\nmode: x\n")]
    [InlineData("# password: LEAK\nmode: x\n")]
    public void A_yaml_value_below_its_key_or_commented_out_is_replaced(string text)
    {
        var (redacted, redactions) = Redact("/etc/netplan/01.yaml", text);

        Assert.DoesNotContain("LEAK", redacted);
        Assert.EndsWith("mode: x\n", redacted);
        Assert.Single(redactions);
    }

    [Fact]
    public void A_keyfile_value_continued_with_a_backslash_is_replaced_on_every_line()
    {
        var (redacted, _) = Redact("/etc/systemd/network/wg.netdev", "[WireGuard]\nPrivateKey=ab\\\nLEAK\nListenPort=51820\n");

        Assert.Equal($"[WireGuard]\nPrivateKey={Marker}\\\n{Marker}\nListenPort=51820\n", redacted);
    }

    [Fact]
    public void An_ifupdown_command_naming_a_key_keeps_the_command_but_not_the_key()
    {
        var (redacted, redactions) = Redact("/etc/network/interfaces", "iface eth0 inet manual\n    up ip macsec add macsec0 tx sa 0 pn 1 on key 01 LEAK\n");

        Assert.Equal($"iface eth0 inet manual\n    up ip macsec add macsec0 tx sa 0 pn 1 on key {Marker}\n", redacted);
        Assert.Equal("key", Assert.Single(redactions).Key);
    }

    [Fact]
    public void A_mapping_below_a_secret_key_is_judged_key_by_key_and_stays_a_mapping()
    {
        var (redacted, _) = Redact("/etc/netplan/02.yaml", "wg1:\n  key:\n    private: LEAK\n  mode: wireguard\n");

        Assert.Equal($"wg1:\n  key:\n    private: {Marker}\n  mode: wireguard\n", redacted);
    }

    [Fact]
    public void A_flow_mapping_over_two_lines_keeps_its_closing_brace()
    {
        var (redacted, _) = Redact("/etc/netplan/02.yaml", "home: {mode: infrastructure,\n       password: LEAK}\n");

        Assert.Equal($"home: {{mode: infrastructure,\n       password: {Marker}}}\n", redacted);
    }

    [Fact]
    public void Non_secrets_that_look_alike_are_kept()
    {
        const string text = "[wifi-security]\nkey-mgmt=wpa-psk\nwep-key-type=1\nwep-key-flags=0\npsk-flags=0\n[macsec]\nmka-ckn=0123\n";
        var (redacted, redactions) = Redact("/etc/NetworkManager/system-connections/a.nmconnection", text);

        Assert.Equal(text, redacted);
        Assert.Empty(redactions);
    }

    [Fact]
    public void The_secret_words_of_a_kernel_command_line_are_replaced_the_rest_kept()
    {
        var redactions = new List<SriovRedaction>();

        string grub = SecretRedaction.RedactWords("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"quiet rd.iscsi.password=LEAK intel_iommu=on\"\n", redactions);

        Assert.Equal($"GRUB_CMDLINE_LINUX=\"quiet rd.iscsi.password={Marker} intel_iommu=on\"\n", grub);
        Assert.Equal(new SriovRedaction("/etc/default/grub", 1, "rd.iscsi.password"), Assert.Single(redactions));
    }
}
