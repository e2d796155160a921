using System.Linq;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>RTM_GETADDR: the request byte for byte, replies decoded, and the kernel's own answer in a private namespace.</summary>
public sealed class AddressQueriesTests
{
    [Fact]
    public void Dump_ForOneIndex_IsExactlyTheKernelLayout()
    {
        var request = AddressQueries.BuildDump(7);
        request.SetSequence(1, 0x1234);

        var expected = Hex.Bytes(
            // nlmsghdr: len 24, RTM_GETADDR (22), NLM_F_REQUEST | NLM_F_DUMP, seq 1, pid 0x1234
            "18000000 1600 0103 01000000 34120000" +
            // ifaddrmsg: family AF_UNSPEC, prefixlen 0, flags 0, scope 0, index 7
            "00 00 00 00 07000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Message));
    }

    [Fact]
    public void Decode_IPv4_PrefersIfaLocal_AndKeepsScopeAndIndex()
    {
        var message = Hex.Bytes(
            "28000000 1400 0200 01000000 00000000" +
            // AF_INET, /24, flags 0x80 (permanent), scope universe, index 3
            "02 18 80 00 03000000" +
            // IFA_ADDRESS 192.0.2.255 (a peer on point-to-point), IFA_LOCAL 192.0.2.10
            "0800 0100 c00002ff" +
            "0800 0200 c000020a");

        var address = AddressQueries.Decode(message)!;

        Assert.Equal("192.0.2.10/24", address.ToString());
        Assert.Equal(3, address.Index);
        Assert.Equal(AddressQueries.RT_SCOPE_UNIVERSE, address.Scope);
    }

    [Fact]
    public void Decode_IPv6LinkLocal_KeepsItsScope()
    {
        var message = Hex.Bytes(
            "2c000000 1400 0200 01000000 00000000" +
            "0a 40 80 fd 05000000" +
            "1400 0100 fe800000000000000253520000000001");

        var address = AddressQueries.Decode(message)!;

        Assert.Equal("fe80::253:5200:0:1/64", address.ToString());
        Assert.Equal(AddressQueries.RT_SCOPE_LINK, address.Scope);
    }

    [Theory]
    [InlineData("10000000 1400 0200 01000000 00000000")]
    [InlineData("20000000 1400 0200 01000000 00000000 02 18 00 00 03000000 0600 0200 c000")]
    [InlineData("18000000 1000 0200 01000000 00000000 02 18 00 00 03000000")]
    [InlineData("18000000 1400 0200 01000000 00000000 02 18 00 00 03000000")]
    public void Decode_Malformed_ThrowsNetlinkDecodeException(string hex)
    {
        Assert.Throws<NetlinkDecodeException>(() => AddressQueries.Decode(Hex.Bytes(hex)));
    }

    [SkippableFact]
    public void ReadAddresses_InPrivateNamespace_GivesTheGlobalOnesIpShows_NotLinkLocal()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        Skip.IfNot(PrivateNetworkNamespace.SupportsLinkKind("dummy"), "this kernel has no dummy links (CONFIG_DUMMY); the lab runs this test on its kernel");
        PrivateNetworkNamespace.Run(() =>
        {
            IpCommand.Run("link", "add", "sriovps-a0", "type", "dummy");
            IpCommand.Run("link", "add", "sriovps-a1", "type", "dummy");
            IpCommand.Run("addr", "add", "192.0.2.10/24", "dev", "sriovps-a0");
            IpCommand.Run("addr", "add", "2001:db8::10/64", "dev", "sriovps-a0", "nodad");
            IpCommand.Run("addr", "add", "169.254.1.1/16", "dev", "sriovps-a0", "scope", "link");
            IpCommand.Run("addr", "add", "198.51.100.1/24", "dev", "sriovps-a1");
            using var links = new KernelLinks();

            Assert.Equal(["192.0.2.10/24", "2001:db8::10/64"], links.ReadAddresses("sriovps-a0")!.Order());
            Assert.Equal(["198.51.100.1/24"], links.ReadAddresses("sriovps-a1"));
        });
    }
}
