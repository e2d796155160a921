using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// What a snapshot keeps of the network configuration files: every secret replaced by the marker,
/// each redaction named by line and key, everything else exactly as it was.
/// </summary>
public sealed class SecretRedactionTests
{
    private const string Marker = SecretRedaction.Marker;

    private static (string Text, List<SriovRedaction> Redactions) Redact(string text, string path = "/etc/test")
    {
        var redactions = new List<SriovRedaction>();
        return (SecretRedaction.Redact(path, text, redactions), redactions);
    }

    private static void AssertRedacted((string Text, List<SriovRedaction> Redactions) result, string path, params (int Line, string Key)[] expected)
    {
        Assert.Equal(expected.Select(e => new SriovRedaction(path, e.Line, e.Key)), result.Redactions);
        Assert.Equal(expected.Length, result.Text.Split('\n').Count(l => l.Contains(Marker, System.StringComparison.Ordinal)));
    }

    private const string Netplan = """
        network:
          version: 2
          wifis:
            wlan0:
              addresses: [192.168.7.20/24]
              access-points:
                "home":
                  password: "hunter2-home"
                "office":
                  auth: {key-management: psk, password: "office-Pw"}
                "lab":
                  auth:
                    key-management: eap
                    password: lab-secret
          tunnels:
            wg0:
              mode: wireguard
              key: cHJpdmF0ZS1rZXktb2Ytd2cw=
              peers:
                - keys: {public: cHVibGljLWtleQ==, shared: c2hhcmVkLWtleQ==}
                  allowed-ips: [10.9.0.0/24]
            wg1:
              mode: wireguard
              keys:
                private: d2cxLXByaXZhdGU=
        """;

    [Fact]
    public void Netplan_EverySecretIsReplaced_AndEachRedactionNamesItsLineAndKey()
    {
        const string path = "/etc/netplan/50-wifi.yaml";
        var result = Redact(Netplan, path);

        foreach (var secret in new[] { "hunter2-home", "office-Pw", "lab-secret", "cHJpdmF0ZS1rZXktb2Ytd2cw=", "c2hhcmVkLWtleQ==", "d2cxLXByaXZhdGU=" })
        {
            Assert.DoesNotContain(secret, result.Text, System.StringComparison.Ordinal);
        }

        AssertRedacted(result, path, (8, "password"), (10, "password"), (14, "password"), (18, "key"), (20, "shared"), (25, "private"));
        Assert.Contains($"password: \"{Marker}\"", result.Text, System.StringComparison.Ordinal);
        Assert.Contains($"auth: {{key-management: psk, password: \"{Marker}\"}}", result.Text, System.StringComparison.Ordinal);
        Assert.Contains($"- keys: {{public: cHVibGljLWtleQ==, shared: {Marker}}}", result.Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Netplan_NonSecretsAreUntouched()
    {
        var result = Redact(Netplan);

        var before = Netplan.Split('\n');
        var after = result.Text.Split('\n');
        Assert.Equal(before.Length, after.Length);
        int[] changed = [7, 9, 13, 17, 19, 24];
        for (int i = 0; i < before.Length; i++)
        {
            if (!changed.Contains(i))
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.Contains("key-management: eap", result.Text, System.StringComparison.Ordinal);
        Assert.Contains("public: cHVibGljLWtleQ==", result.Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Netplan_RedactedStillParses_ToTheSameKeys()
    {
        var before = YamlDocuments.Single(Netplan);
        var after = YamlDocuments.Single(Redact(Netplan).Text);

        Assert.Equal(Keys(before), Keys(after));
        Assert.Equal(Marker, (string?)after["network"]!["wifis"]!["wlan0"]!["access-points"]!["office"]!["auth"]!["password"]);
        Assert.Equal("psk", (string?)after["network"]!["wifis"]!["wlan0"]!["access-points"]!["office"]!["auth"]!["key-management"]);
        Assert.Equal(Marker, (string?)after["network"]!["tunnels"]!["wg0"]!["key"]);
        Assert.Equal("192.168.7.20/24", (string?)after["network"]!["wifis"]!["wlan0"]!["addresses"]![0]);
    }

    [Fact]
    public void Netplan_BlockScalarPassword_EveryLineReplaced_AndTheRestParses()
    {
        const string yaml = "network:\n  wifis:\n    wlan0:\n      access-points:\n        home:\n          password: |\n            first-half\n            second-half\n          mode: infrastructure\n      dhcp4: true\n";
        var result = Redact(yaml, "/etc/netplan/b.yaml");

        Assert.DoesNotContain("half", result.Text, System.StringComparison.Ordinal);
        Assert.Equal([new SriovRedaction("/etc/netplan/b.yaml", 6, "password")], result.Redactions);
        Assert.Equal("          mode: infrastructure", result.Text.Split('\n')[8]);
        var parsed = YamlDocuments.Single(result.Text);
        Assert.Equal(Keys(YamlDocuments.Single(yaml)), Keys(parsed));
        Assert.Equal("infrastructure", (string?)parsed["network"]!["wifis"]!["wlan0"]!["access-points"]!["home"]!["mode"]);
    }

    [Fact]
    public void NetworkManagerKeyfile_EverySecretIsReplaced_NonSecretsUntouched()
    {
        const string path = "/etc/NetworkManager/system-connections/home.nmconnection";
        string[] lines =
        [
            "[connection]",                               // 1
            "id=home",
            "interface-name=wlan0",
            "[wifi]",
            "ssid=home",                                  // 5
            "[wifi-security]",
            "key-mgmt=wpa-psk",
            "psk=correct horse battery",
            "psk-flags=0",
            "wep-key0=0123456789",                        // 10
            "[802-1x]",
            "password=eap-Pass",
            "private-key-password=pk-pass",
            "[gsm]",
            "pin=1234",                                   // 15
            "[wireguard]",
            "private-key=d2ctbm0tcHJpdmF0ZQ==",
            "[wireguard-peer.cHVibGljK2tleS9hYmM9]",
            "preshared-key=cHJlc2hhcmVk",
            "allowed-ips=10.0.0.0/24;",                   // 20
            "[vpn-secrets]",
            "cert-pass=vpn-one",
            "user-token=vpn-two",
            "[ipv4]",
            "address1=192.168.7.20/24,192.168.7.1",       // 25
            "method=manual",
        ];
        string text = string.Join('\n', lines) + "\n";
        var result = Redact(text, path);

        foreach (var secret in new[] { "correct", "battery", "0123456789", "eap-Pass", "pk-pass", "1234", "d2ctbm0tcHJpdmF0ZQ==", "cHJlc2hhcmVk", "vpn-one", "vpn-two" })
        {
            Assert.DoesNotContain(secret, result.Text, System.StringComparison.Ordinal);
        }

        AssertRedacted(result, path,
            (8, "psk"), (10, "wep-key0"), (12, "password"), (13, "private-key-password"), (15, "pin"),
            (17, "private-key"), (19, "preshared-key"), (22, "cert-pass"), (23, "user-token"));
        var after = result.Text.Split('\n');
        Assert.Equal($"psk={Marker}", after[7]);
        Assert.Equal($"user-token={Marker}", after[22]);
        foreach (int kept in new[] { 1, 2, 3, 4, 5, 6, 7, 9, 11, 14, 16, 18, 20, 21, 24, 25, 26 })
        {
            Assert.Equal(lines[kept - 1], after[kept - 1]);
        }
    }

    [Fact]
    public void NetworkdNetdev_PrivateAndPresharedKeysReplaced_PublicKeyAndKeyFileKept()
    {
        const string path = "/etc/systemd/network/wg0.netdev";
        const string text = "[NetDev]\nName=wg0\nKind=wireguard\n\n[WireGuard]\nPrivateKey=bmV0ZGV2LXByaXZhdGU=\nListenPort=51820\n\n[WireGuardPeer]\nPublicKey=cGVlci1wdWJsaWM=\nPresharedKey=cGVlci1wc2s=\nPrivateKeyFile=/etc/wg/private.key\n";
        var result = Redact(text, path);

        AssertRedacted(result, path, (6, "PrivateKey"), (11, "PresharedKey"));
        Assert.Equal(text.Replace("bmV0ZGV2LXByaXZhdGU=", Marker).Replace("cGVlci1wc2s=", Marker), result.Text);
    }

    [Fact]
    public void Ifupdown_WpaPskPasswordAndWirelessKeysReplaced()
    {
        const string path = "/etc/network/interfaces";
        const string text = "auto wlan0\niface wlan0 inet static\n    address 192.168.7.20/24\n    wpa-ssid home\n    wpa-key-mgmt WPA-PSK\n    wpa-psk ifup-psk-1\n    wpa-password ifup-pw\n    wireless-key1 s:wepwep\n";
        var result = Redact(text, path);

        AssertRedacted(result, path, (6, "wpa-psk"), (7, "wpa-password"), (8, "wireless-key1"));
        Assert.Equal(
            text.Replace("ifup-psk-1", Marker).Replace("ifup-pw", Marker).Replace("s:wepwep", Marker),
            result.Text);
    }

    [Fact]
    public void TextWithoutATrailingNewline_KeepsItsShape()
    {
        var result = Redact("[wifi-security]\nkey-mgmt=wpa-psk\npsk=no-newline");

        Assert.Equal($"[wifi-security]\nkey-mgmt=wpa-psk\npsk={Marker}", result.Text);
    }

    [Fact]
    public void CrlfLines_KeepTheirCarriageReturns()
    {
        var result = Redact("[wifi-security]\r\npsk=crlf-secret\r\npsk-flags=0\r\n");

        Assert.Equal($"[wifi-security]\r\npsk={Marker}\r\npsk-flags=0\r\n", result.Text);
    }

    // A replaced block scalar in a CRLF file keeps the '\r' of every line, so the file's line endings stay as they were.
    [Fact]
    public void CrlfBlockScalar_KeepsTheCarriageReturnOfEveryLine()
    {
        var result = Redact("auth:\r\n  password: |\r\n    one\r\n    two\r\nmode: x\r\n");

        Assert.DoesNotContain("one", result.Text, System.StringComparison.Ordinal);
        Assert.Equal(5, result.Text.Split("\r\n").Length - 1);
    }

    private static List<string> Keys(JsonNode? node, string prefix = "")
    {
        var keys = new List<string>();
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    keys.Add(prefix + "/" + key);
                    keys.AddRange(Keys(value, prefix + "/" + key));
                }

                break;
            case JsonArray list:
                for (int i = 0; i < list.Count; i++)
                {
                    keys.AddRange(Keys(list[i], prefix + "/" + i));
                }

                break;
        }

        return keys;
    }
}
