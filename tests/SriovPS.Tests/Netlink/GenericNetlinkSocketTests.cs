using System;
using SriovPS.Native;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Family lookups and devlink requests against this machine's kernel, held to what iproute2's genl
/// reports. Looking a family up needs no privilege; devlink requests need CAP_NET_ADMIN.
/// </summary>
public sealed class GenericNetlinkSocketTests
{
    private static void SkipUnlessGenl()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "generic netlink exists only on Linux");
        Skip.IfNot(GenlCommand.IsInstalled, "iproute2's genl, which these tests compare with, is not installed (apt-get install iproute2)");
    }

    [SkippableFact]
    public void ResolveFamily_Controller_IsTheFixedGenlIdCtrl()
    {
        SkipUnlessGenl();
        using var socket = NetlinkSocket.Open(Interop.Libc.NETLINK_GENERIC);

        Assert.Equal(GenericNetlink.GENL_ID_CTRL, GenericNetlink.ResolveFamily(socket, "nlctrl"));
        Assert.Equal(GenlCommand.FamilyId("nlctrl"), GenericNetlink.ResolveFamily(socket, "nlctrl"));
    }

    [SkippableFact]
    public void ResolveFamily_NameTheKernelDoesNotKnow_IsNullAndTheSocketStaysUsable()
    {
        SkipUnlessGenl();
        using var socket = NetlinkSocket.Open(Interop.Libc.NETLINK_GENERIC);

        Assert.Null(GenericNetlink.ResolveFamily(socket, "sriovps_none"));
        Assert.Null(GenlCommand.FamilyId("sriovps_none"));
        Assert.Equal(GenericNetlink.GENL_ID_CTRL, GenericNetlink.ResolveFamily(socket, "nlctrl"));
    }

    [SkippableFact]
    public void DevlinkFamily_WhereTheKernelHasIt_IsTheIdGenlReports()
    {
        SkipUnlessGenl();
        ushort? expected = GenlCommand.FamilyId("devlink");
        Skip.If(expected is null, "this kernel has no devlink family (genl ctrl get name devlink finds none); the lab kernel has one");
        using var devlink = DevlinkSocket.Open();

        Assert.Equal(expected, devlink.FamilyId());
        Assert.Equal(expected, devlink.FamilyId());
        Assert.Equal(1, devlink.Requests);
    }

    [SkippableFact]
    public void DevlinkFamily_WhereTheKernelLacksIt_IsNullAskedOnce()
    {
        SkipUnlessGenl();
        Skip.If(GenlCommand.FamilyId("devlink") is not null, "this kernel has devlink; the lookup of a missing family is tested where it lacks it");
        using var devlink = DevlinkSocket.Open();

        Assert.Null(devlink.FamilyId());
        Assert.Null(devlink.FamilyId());
        Assert.Equal(1, devlink.Requests);
        Assert.Throws<InvalidOperationException>(() => devlink.GetEswitchMode("pci", "0000:ff:1f.7"));
    }

    [SkippableFact]
    public void EswitchGet_DeviceWithoutDevlinkInstance_IsEnodevFromDevlink()
    {
        SkipUnlessGenl();
        Skip.IfNot(Environment.IsPrivilegedProcess, "devlink's eswitch requests need CAP_NET_ADMIN");
        Skip.If(GenlCommand.FamilyId("devlink") is null, "this kernel has no devlink family; the lab kernel has one");
        using var devlink = DevlinkSocket.Open();

        var error = Assert.Throws<NetlinkException>(() => devlink.GetEswitchMode("pci", "0000:ff:1f.7"));

        Assert.Equal(Errno.ENODEV, error.Errno);
        Assert.Equal("DEVLINK_CMD_ESWITCH_GET", error.Operation);
    }
}
