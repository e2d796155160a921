using SriovPS.Persistence;
using SriovPS.Persistence.NetworkFiles;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>ifupdown: a manual stanza in interfaces.d, and whether /etc/network/interfaces reads it.</summary>
public sealed class IfupdownPfWriterTests
{
    private const string Header =
        "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n" +
        "# The PF only carries SR-IOV VFs, so it gets no address of any kind.\n";

    private static readonly IfupdownPfWriter Writer = (IfupdownPfWriter)PfNetworkWriter.Ifupdown;

    [Fact]
    public void Render_Ifupdown_UpWithMtu_WritesAutoAndAManualStanzaWithMtu()
    {
        Assert.Equal(
            Header +
            "auto eno49\n" +
            "iface eno49 inet manual\n" +
            "    mtu 9000\n",
            Writer.Render(new PfNetworkSettings("eno49", true, 9000)));
    }

    [Fact]
    public void Render_Ifupdown_Down_LeavesOutTheAutoLine()
    {
        Assert.Equal(
            Header +
            "iface eno49 inet manual\n",
            Writer.Render(new PfNetworkSettings("eno49", false, null)));
    }

    [Fact]
    public void Ifupdown_FileHasARunPartsName_AndItsBackupIsHidden()
    {
        Assert.Equal("/etc/network/interfaces.d/sriovps-eno49", Writer.HostPathFor("eno49"));
        Assert.Equal("/etc/network/interfaces.d/.sriovps-eno49.sriovps.bak", Writer.BackupHostPathFor("eno49"));
        Assert.Equal(0b110_100_100u, Writer.NewFileMode);
    }

    [Theory]
    [InlineData("source /etc/network/interfaces.d/*")]
    [InlineData("source-directory /etc/network/interfaces.d")]
    [InlineData("source-directory /etc/network/interfaces.d/")]
    [InlineData("source-directory interfaces.d")]
    [InlineData("source-dir interfaces.d")]
    [InlineData("source interfaces.d/*")]
    [InlineData("source /etc/network/interfaces.d/sriovps-*")]
    [InlineData("source /etc/network/interfaces.d/[a-z]*")]
    [InlineData("   source\t/etc/network/interfaces.d/*   ")]
    [InlineData("source \\\n  /etc/network/interfaces.d/*")]
    public void IsSourced_Ifupdown_InterfacesIncludingTheDirectory_IsTrue(string line)
    {
        string interfaces = "auto lo\niface lo inet loopback\n\n" + line + "\n";

        Assert.True(Writer.IsSourced(interfaces, "eno49"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto lo\niface lo inet loopback\n")]
    [InlineData("# source /etc/network/interfaces.d/*\n")]
    [InlineData("source /etc/network/interfaces.d/*.cfg\n")]
    [InlineData("source /etc/network/interfaces.d/[!s]*\n")]
    [InlineData("source /etc/network/interfaces.d\n")]
    [InlineData("source /etc/network/*\n")]
    [InlineData("source-directory /etc/network/other.d\n")]
    [InlineData("source /etc/network/Interfaces.d/*\n")]
    [InlineData("iface eth0 inet manual\n    up source /etc/network/interfaces.d/*\n")]
    public void IsSourced_Ifupdown_InterfacesNotIncludingTheFile_IsFalse(string? interfaces)
    {
        Assert.False(Writer.IsSourced(interfaces, "eno49"));
    }

    [Fact]
    public void IsSourced_Ifupdown_SourceDirectory_SkipsANameRunPartsWouldSkip()
    {
        // run-parts takes only letters, digits, '_' and '-': a dotted interface name is never read that way.
        Assert.False(Writer.IsSourced("source-directory /etc/network/interfaces.d\n", "eth0.100"));
        Assert.True(Writer.IsSourced("source /etc/network/interfaces.d/*\n", "eth0.100"));
    }
}
