using SriovPS.Persistence;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>netplan: the PF's own YAML file, explicit about having no address.</summary>
public sealed class NetplanPfWriterTests
{
    private const string Header =
        "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n" +
        "# The PF only carries SR-IOV VFs, so it gets no address of any kind.\n";

    private static readonly PfNetworkWriter Writer = PfNetworkWriter.Netplan;

    [Fact]
    public void Render_Netplan_WithMtu_WritesExplicitNoAddressEntry()
    {
        Assert.Equal(
            Header +
            "network:\n" +
            "  version: 2\n" +
            "  ethernets:\n" +
            "    eno49:\n" +
            "      dhcp4: false\n" +
            "      dhcp6: false\n" +
            "      accept-ra: false\n" +
            "      link-local: []\n" +
            "      optional: true\n" +
            "      mtu: 9000\n",
            Writer.Render(new PfNetworkSettings("eno49", true, 9000)));
    }

    [Fact]
    public void Render_Netplan_Down_WithoutMtu_AddsActivationModeOffAndNoMtu()
    {
        Assert.Equal(
            Header +
            "network:\n" +
            "  version: 2\n" +
            "  ethernets:\n" +
            "    eno49:\n" +
            "      dhcp4: false\n" +
            "      dhcp6: false\n" +
            "      accept-ra: false\n" +
            "      link-local: []\n" +
            "      optional: true\n" +
            "      activation-mode: off\n",
            Writer.Render(new PfNetworkSettings("eno49", false, null)));
    }

    [Fact]
    public void Netplan_FileIsPrivateAndSortsAfterCloudInit()
    {
        Assert.Equal("/etc/netplan/60-sriovps-eno49.yaml", Writer.HostPathFor("eno49"));
        Assert.Equal("/etc/netplan/60-sriovps-eno49.yaml.sriovps.bak", Writer.BackupHostPathFor("eno49"));
        Assert.Equal(0b110_000_000u, Writer.NewFileMode);
        Assert.Equal(HostNetworkManager.Netplan, Writer.Manager);
    }

    [Fact]
    public void Parse_Netplan_TheSeedsHandMadeEntry_IsNotOurs()
    {
        Assert.Null(Writer.Parse("network:\n  version: 2\n  ethernets:\n    eno49: {}\n", "eno49"));
    }

    [Fact]
    public void Parse_Netplan_OurHeaderOverAnAddedAddress_IsNotOurs()
    {
        string text = Writer.Render(new PfNetworkSettings("eno49", true, 9000)) + "      addresses: [192.0.2.10/24]\n";

        Assert.Null(Writer.Parse(text, "eno49"));
    }
}
