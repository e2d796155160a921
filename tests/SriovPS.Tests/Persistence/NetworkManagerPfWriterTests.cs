using System;
using SriovPS.Persistence;
using SriovPS.Persistence.NetworkFiles;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>NetworkManager: a keyfile profile with a UUID derived from the interface name.</summary>
public sealed class NetworkManagerPfWriterTests
{
    private const string Header =
        "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n" +
        "# The PF only carries SR-IOV VFs, so it gets no address of any kind.\n";

    private static readonly PfNetworkWriter Writer = PfNetworkWriter.NetworkManager;

    [Fact]
    public void Render_NetworkManager_WithMtu_WritesAnAutoconnectingProfileWithIpDisabled()
    {
        Assert.Equal(
            Header +
            "[connection]\n" +
            "id=sriovps-eno49\n" +
            "uuid=eb4b3e9f-81bc-5b8c-bd03-0702f3251130\n" +
            "type=ethernet\n" +
            "interface-name=eno49\n" +
            "autoconnect=true\n" +
            "\n" +
            "[ethernet]\n" +
            "mtu=9000\n" +
            "\n" +
            "[ipv4]\n" +
            "method=disabled\n" +
            "\n" +
            "[ipv6]\n" +
            "method=disabled\n",
            Writer.Render(new PfNetworkSettings("eno49", true, 9000)));
    }

    [Fact]
    public void Render_NetworkManager_Down_WithoutMtu_WritesNoAutoconnectAndNoEthernetSection()
    {
        Assert.Equal(
            Header +
            "[connection]\n" +
            "id=sriovps-eno49\n" +
            "uuid=eb4b3e9f-81bc-5b8c-bd03-0702f3251130\n" +
            "type=ethernet\n" +
            "interface-name=eno49\n" +
            "autoconnect=false\n" +
            "\n" +
            "[ipv4]\n" +
            "method=disabled\n" +
            "\n" +
            "[ipv6]\n" +
            "method=disabled\n",
            Writer.Render(new PfNetworkSettings("eno49", false, null)));
    }

    [Fact]
    public void NameBasedUuid_IsRfcVersion5()
    {
        // The RFC's DNS namespace and the example Python's uuid.uuid5 documents.
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal("886313e1-3b8a-5372-9b90-0c9aee199e5d", NetworkManagerPfWriter.NameBasedUuid(dns, "python.org"));
    }

    [Fact]
    public void ConnectionUuid_DependsOnlyOnTheInterfaceName()
    {
        Assert.Equal("eb4b3e9f-81bc-5b8c-bd03-0702f3251130", NetworkManagerPfWriter.ConnectionUuid("eno49"));
        Assert.Equal("918f1254-d863-55ea-bea3-d842a15bcd1d", NetworkManagerPfWriter.ConnectionUuid("eno50"));
    }

    [Fact]
    public void NetworkManager_FileIsPrivate_AndItsBackupHidden()
    {
        Assert.Equal("/etc/NetworkManager/system-connections/sriovps-eno49.nmconnection", Writer.HostPathFor("eno49"));
        Assert.Equal("/etc/NetworkManager/system-connections/.sriovps-eno49.nmconnection.sriovps.bak", Writer.BackupHostPathFor("eno49"));
        Assert.Equal(0b110_000_000u, Writer.NewFileMode);
    }

    [Fact]
    public void Parse_NetworkManager_AProfileNmcliRewrote_IsNotOurs()
    {
        // nmcli connection modify writes the profile anew, without the header and with keys of its own.
        string rewritten =
            "[connection]\nid=sriovps-eno49\nuuid=eb4b3e9f-81bc-5b8c-bd03-0702f3251130\ntype=ethernet\n" +
            "autoconnect=false\ninterface-name=eno49\n\n[ethernet]\n\n[ipv4]\nmethod=disabled\n\n[ipv6]\naddr-gen-mode=default\nmethod=disabled\n\n[proxy]\n";

        Assert.Null(Writer.Parse(rewritten, "eno49"));
    }

    [Fact]
    public void Parse_NetworkManager_AnotherInterfacesProfile_IsNotThisOnes()
    {
        string eno50 = Writer.Render(new PfNetworkSettings("eno50", true, null));

        Assert.Null(Writer.Parse(eno50, "eno49"));
    }
}
