using SriovPS.Errors;
using SriovPS.Native;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Errors;

/// <summary>devlink's refusal of an eswitch request, as the user reads it: one id per meaning, the kernel's words, the devlink command.</summary>
public sealed class EswitchErrorTests
{
    private const string Pf = "0000:04:00.0 (eno49)";
    private const string Command = "devlink dev eswitch set pci/0000:04:00.0 mode switchdev";

    private static SriovException Change(int errno, string? ack = null, string? driver = "mlx5_core") =>
        DevlinkErrors.ForChange(
            new NetlinkException(errno, "DEVLINK_CMD_ESWITCH_SET", ack),
            new EswitchChange("pci", "0000:04:00.0", EswitchMode.Switchdev, Pf, driver));

    [Fact]
    public void NotSupported_NamesTheDriverAndTheRefusedCommand()
    {
        var error = Change(Errno.EOPNOTSUPP);

        SriovAssert.IsError(SriovErrorCategory.NotImplemented, error);
        Assert.Equal((ErrorCatalog.EswitchModeNotSupported, SriovErrorCategory.NotImplemented, Pf), (error.Id, error.Category, error.Target));
        Assert.Equal(
            $"mlx5_core cannot change the eswitch mode of {Pf}: the kernel answered \"Operation not supported\" to '{Command}'.",
            error.Message);
        Assert.Contains("switchdev", error.Remedy);
        Assert.IsType<NetlinkException>(error.InnerException);
    }

    [Fact]
    public void NotSupported_WithTheDriversReason_CarriesItsWords()
    {
        var error = Change(Errno.EOPNOTSUPP, "Changing eswitch mode is allowed only if there is no VFs created", "ice");

        Assert.Equal(ErrorCatalog.EswitchModeNotSupported, error.Id);
        Assert.Equal(
            $"ice cannot change the eswitch mode of {Pf}: the kernel answered \"Operation not supported: Changing eswitch mode is allowed only if there is no VFs created\" to '{Command}'.",
            error.Message);
    }

    [Fact]
    public void NoDevlinkInstance_SaysTheDeviceIsNotADevlinkDevice()
    {
        var named = Change(Errno.ENODEV, driver: "igb");
        var unnamed = Change(Errno.ENODEV, driver: null);

        Assert.Equal((ErrorCatalog.EswitchModeNotSupported, SriovErrorCategory.NotImplemented), (named.Id, named.Category));
        Assert.Equal(
            $"{Pf} is not a devlink device: its driver, igb, registers no devlink instance for it, so it has no eswitch mode; " +
            $"the kernel answered \"No such device\" to '{Command}'.",
            named.Message);
        Assert.StartsWith($"{Pf} is not a devlink device: no devlink instance is registered for it, so it has no eswitch mode;", unnamed.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void KernelWithoutDevlink_IsNotSupported_NamingTheCommandAndTheDriver()
    {
        var error = DevlinkErrors.DevlinkMissing(new EswitchChange("pci", "0000:04:00.0", EswitchMode.Switchdev, Pf, "mlx5_core"));

        Assert.Equal((ErrorCatalog.EswitchModeNotSupported, SriovErrorCategory.NotImplemented, Pf), (error.Id, error.Category, error.Target));
        Assert.Equal(
            $"This kernel has no devlink (no generic netlink family 'devlink'), so '{Command}' cannot reach mlx5_core of {Pf}.",
            error.Message);
        Assert.Contains("CONFIG_NET_DEVLINK", error.Remedy);
    }

    [Theory]
    [InlineData(Errno.EINVAL, "Invalid argument")]
    [InlineData(Errno.ERANGE, "Numerical result out of range")]
    public void InvalidForTheDriver_IsRejectedInTheKernelsWords(int errno, string description)
    {
        var error = Change(errno, "Can't set offloads mode, SRIOV legacy not enabled");

        SriovAssert.IsError(SriovErrorCategory.InvalidArgument, error);
        Assert.Equal((ErrorCatalog.EswitchModeRejected, SriovErrorCategory.InvalidArgument, Pf), (error.Id, error.Category, error.Target));
        Assert.Equal($"The kernel rejected '{Command}' for {Pf}: {description}: Can't set offloads mode, SRIOV legacy not enabled.", error.Message);
    }

    [Fact]
    public void PermissionErrorWithTheDriversReason_IsARejectionNotMissingPrivilege()
    {
        var error = Change(Errno.EPERM, "Can't change E-Switch mode to switchdev when netdev net namespace has diverged from the devlink's.");

        Assert.Equal((ErrorCatalog.EswitchModeRejected, SriovErrorCategory.InvalidArgument), (error.Id, error.Category));
        // The kernel's own final period is not doubled.
        Assert.EndsWith("Operation not permitted: Can't change E-Switch mode to switchdev when netdev net namespace has diverged from the devlink's.", error.Message, System.StringComparison.Ordinal);
        Assert.DoesNotContain("..", error.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Errno.EPERM)]
    [InlineData(Errno.EACCES)]
    public void PermissionDenied_WithoutExplanation_IsNetlinkPermissionDenied(int errno)
    {
        var error = Change(errno);

        SriovAssert.IsError(SriovErrorCategory.PermissionDenied, error);
        Assert.Equal((ErrorCatalog.NetlinkPermissionDenied, SriovErrorCategory.PermissionDenied, Pf), (error.Id, error.Category, error.Target));
        Assert.Contains(Command, error.Message);
        Assert.Contains("CAP_NET_ADMIN", error.Remedy);
    }

    [Fact]
    public void Busy_IsResourceBusyWithTheDriversReason()
    {
        var error = Change(Errno.EBUSY, "Can't change mode, E-Switch is busy");

        SriovAssert.IsError(SriovErrorCategory.ResourceBusy, error);
        Assert.Equal((ErrorCatalog.EswitchModeBusy, SriovErrorCategory.ResourceBusy, Pf), (error.Id, error.Category, error.Target));
        Assert.Equal(
            $"The eswitch of {Pf} is busy: the kernel answered \"Device or resource busy: Can't change mode, E-Switch is busy\" to '{Command}'.",
            error.Message);
        Assert.Contains("Try again", error.Remedy);
    }

    [Theory]
    [InlineData(Errno.ENOMEM)]
    [InlineData(Errno.ETIMEDOUT)]
    [InlineData(Errno.ENOENT)]
    public void AnyOtherErrno_IsEswitchModeFailed(int errno)
    {
        var error = Change(errno);

        SriovAssert.IsError(SriovErrorCategory.WriteError, error);
        Assert.Equal((ErrorCatalog.EswitchModeFailed, SriovErrorCategory.WriteError, Pf), (error.Id, error.Category, error.Target));
        Assert.StartsWith($"Could not change the eswitch mode of {Pf}: the kernel answered \"{Errno.Describe(errno)}\" to '{Command}'.", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableAnswerToAChange_SaysTheOutcomeIsUnknown()
    {
        var error = DevlinkErrors.ForUnreadableAnswer(
            new NetlinkDecodeException("cut"),
            new EswitchChange("netdevsim", "netdevsim1", EswitchMode.Legacy, "netdevsim1", null));

        Assert.Equal((ErrorCatalog.EswitchModeFailed, SriovErrorCategory.WriteError), (error.Id, error.Category));
        Assert.Contains("'devlink dev eswitch set netdevsim/netdevsim1 mode legacy' did not parse (cut)", error.Message);
        Assert.Contains("unknown", error.Message);
        Assert.Equal("Check with: devlink dev eswitch show netdevsim/netdevsim1", error.Remedy);
    }

    [Theory]
    [InlineData(Errno.EPERM)]
    [InlineData(Errno.EACCES)]
    public void ReadRefusedForPrivilege_IsNetlinkPermissionDenied(int errno)
    {
        var error = DevlinkErrors.ForRead(new NetlinkException(errno, "DEVLINK_CMD_ESWITCH_GET"), "pci/0000:04:00.0");

        Assert.Equal((ErrorCatalog.NetlinkPermissionDenied, SriovErrorCategory.PermissionDenied, "pci/0000:04:00.0"), (error.Id, error.Category, error.Target));
        Assert.Contains("CAP_NET_ADMIN", error.Remedy);
    }

    [Fact]
    public void ReadFailure_AndUnparsableReadAnswer_AreEswitchModeUnreadable()
    {
        var failed = DevlinkErrors.ForRead(new NetlinkException(Errno.ETIMEDOUT, "DEVLINK_CMD_ESWITCH_GET"), "pci/0000:04:00.0");
        var unparsable = DevlinkErrors.ForDecode(new NetlinkDecodeException("cut"), "pci/0000:04:00.0");

        Assert.Equal((ErrorCatalog.EswitchModeUnreadable, SriovErrorCategory.ReadError), (failed.Id, failed.Category));
        Assert.StartsWith("Could not read the eswitch mode of pci/0000:04:00.0 through devlink: DEVLINK_CMD_ESWITCH_GET: ", failed.Message, System.StringComparison.Ordinal);
        Assert.Equal((ErrorCatalog.EswitchModeUnreadable, SriovErrorCategory.ReadError), (unparsable.Id, unparsable.Category));
        Assert.Contains("devlink dev eswitch show pci/0000:04:00.0", unparsable.Remedy);
    }
}
