using System.Collections.Generic;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Kernel;

/// <summary>The core's use of netlink: failures become the module's errors and never stop discovery.</summary>
public sealed class KernelLinksTests
{
    [SkippableFact]
    public void Read_InterfaceThatVanished_ReportsInterfaceNotFoundAndReturnsNull()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            var errors = new List<SriovException>();
            using var links = new KernelLinks(new CallbackReport(fail: errors.Add));

            Assert.Null(links.Read("sriovps-gone"));

            var error = Assert.Single(errors);
            Assert.Equal(ErrorCatalog.InterfaceNotFound, error.Id);
            Assert.Equal(SriovErrorCategory.ObjectNotFound, error.Category);
            Assert.Equal("sriovps-gone", error.Target);
            Assert.IsType<NetlinkException>(error.InnerException);
        });
    }

    [SkippableFact]
    public void ReadWithVfs_InterfaceWithoutVfs_HasNoVfListAndNoWarning()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            IpCommand.Run("link", "add", "sriovps-v0", "type", "veth", "peer", "name", "sriovps-v1");
            var warnings = new List<string>();
            using var links = new KernelLinks(new CallbackReport(warn: warnings.Add));

            var link = links.ReadWithVfs("sriovps-v0", statistics: true);

            Assert.NotNull(link);
            Assert.Empty(link!.Vfs);
            Assert.False(link.VfListTruncated);
            Assert.Empty(warnings);
            Assert.Equal(1, links.Requests);
        });
    }

    [Fact]
    public void Mapping_FormatsAddressesAsIproute2Does()
    {
        Assert.Equal("02:53:52:00:0a:ff", KernelLinkMapping.FormatAddress([0x02, 0x53, 0x52, 0x00, 0x0a, 0xff]));
        Assert.Equal("", KernelLinkMapping.FormatAddress([]));
        Assert.Null(KernelLinkMapping.FormatAddress(null));
    }

    [Theory]
    [InlineData(0u, (ushort)0x88a8, null)]
    [InlineData(42u, (ushort)0x88a8, "802.1ad")]
    [InlineData(42u, (ushort)0x8100, "802.1Q")]
    [InlineData(42u, (ushort)0, "802.1Q")]
    public void Mapping_VlanProtocol_IsNullWithoutAVlanAndDefaultsTo8021Q(uint vlan, ushort protocol, string? expected) =>
        Assert.Equal(expected, KernelLinkMapping.ToVlanProtocol(new VfInfo { Vlan = vlan, VlanProtocol = protocol }));

    [Fact]
    public void Mapping_LinkStates_FollowTheKernelsNumbering()
    {
        Assert.Equal(LinkState.Up, KernelLinkMapping.ToLinkState(6));
        Assert.Equal(LinkState.LowerLayerDown, KernelLinkMapping.ToLinkState(3));
        Assert.Equal(LinkState.Unknown, KernelLinkMapping.ToLinkState(99));
        Assert.Null(KernelLinkMapping.ToLinkState(null));
        Assert.Equal(VfLinkState.Disable, KernelLinkMapping.ToVfLinkState(2));
        Assert.Null(KernelLinkMapping.ToVfLinkState(7));
        Assert.Equal(int.MaxValue, KernelLinkMapping.ToInt(uint.MaxValue));
    }
}
