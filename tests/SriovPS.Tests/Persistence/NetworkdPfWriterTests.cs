using SriovPS.Persistence;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>systemd-networkd: a .network file that sorts before catch-alls and gives the link no address.</summary>
public sealed class NetworkdPfWriterTests
{
    private const string Header =
        "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n" +
        "# The PF only carries SR-IOV VFs, so it gets no address of any kind.\n";

    private static readonly PfNetworkWriter Writer = PfNetworkWriter.SystemdNetworkd;

    [Fact]
    public void Render_Networkd_WithMtu_WritesActivationPolicyUpAndMtuBytes()
    {
        Assert.Equal(
            Header +
            "[Match]\n" +
            "Name=eno49\n" +
            "\n" +
            "[Link]\n" +
            "ActivationPolicy=up\n" +
            "RequiredForOnline=no\n" +
            "MTUBytes=9000\n" +
            "\n" +
            "[Network]\n" +
            "DHCP=no\n" +
            "LinkLocalAddressing=no\n" +
            "IPv6AcceptRA=no\n" +
            "ConfigureWithoutCarrier=yes\n",
            Writer.Render(new PfNetworkSettings("eno49", true, 9000)));
    }

    [Fact]
    public void Render_Networkd_Down_WithoutMtu_WritesActivationPolicyDownAndNoMtuBytes()
    {
        Assert.Equal(
            Header +
            "[Match]\n" +
            "Name=eno49\n" +
            "\n" +
            "[Link]\n" +
            "ActivationPolicy=down\n" +
            "RequiredForOnline=no\n" +
            "\n" +
            "[Network]\n" +
            "DHCP=no\n" +
            "LinkLocalAddressing=no\n" +
            "IPv6AcceptRA=no\n" +
            "ConfigureWithoutCarrier=yes\n",
            Writer.Render(new PfNetworkSettings("eno49", false, null)));
    }

    [Fact]
    public void Networkd_FileSortsBeforeACatchAll()
    {
        string path = Writer.HostPathFor("eno49");

        Assert.Equal("/etc/systemd/network/10-sriovps-eno49.network", path);
        Assert.True(string.CompareOrdinal("10-sriovps-eno49.network", "20-wired.network") < 0);
        Assert.Equal(path + ".sriovps.bak", Writer.BackupHostPathFor("eno49"));
        Assert.Equal(0b110_100_100u, Writer.NewFileMode);
    }

    [Fact]
    public void Parse_Networkd_ACatchAllFile_IsNotOurs()
    {
        Assert.Null(Writer.Parse("[Match]\nName=en*\n\n[Network]\nDHCP=yes\n", "eno49"));
    }
}
