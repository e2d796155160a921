using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Kernel;

/// <summary>
/// Eswitch modes against this machine's kernel, with or without devlink (which kernel it is, genl
/// says independently): devices devlink cannot describe have no mode rather than an error, a change
/// to one is refused with the mapped error, and discovery asks once per PF at most.
/// </summary>
public sealed class EswitchModesTests
{
    // A PCI address no machine has: bus ff, device 1f, function 7 in domain 0.
    private const string NoSuchDevice = "0000:ff:1f.7";

    private static bool KernelHasDevlink()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devlink exists only on Linux");
        Skip.IfNot(GenlCommand.IsInstalled, "iproute2's genl, which tells whether this kernel has devlink, is not installed");
        return GenlCommand.FamilyId("devlink") is not null;
    }

    private static void SkipUnlessRoot() =>
        Skip.IfNot(Environment.IsPrivilegedProcess, "devlink's eswitch requests need CAP_NET_ADMIN: run the tests as root");

    [SkippableFact]
    public void TryRead_DeviceThatDoesNotExist_IsNullNotAnError()
    {
        bool devlink = KernelHasDevlink();
        SkipUnlessRoot();
        using var modes = new EswitchModes();

        Assert.Null(modes.TryRead(EswitchModes.PciBus, NoSuchDevice));
        Assert.Equal(devlink ? 2 : 1, modes.Requests);
    }

    [SkippableFact]
    public void Set_DeviceThatDoesNotExist_IsEswitchModeNotSupportedNamingTheDeviceAndTheCommand()
    {
        bool devlink = KernelHasDevlink();
        SkipUnlessRoot();
        using var modes = new EswitchModes();

        var error = SriovAssert.Throws(SriovErrorCategory.NotImplemented, 
            () => modes.Set(EswitchModes.PciBus, NoSuchDevice, EswitchMode.Switchdev, NoSuchDevice, "mlx5_core"));

        Assert.Equal((ErrorCatalog.EswitchModeNotSupported, SriovErrorCategory.NotImplemented, NoSuchDevice), (error.Id, error.Category, error.Target));
        Assert.Contains($"'devlink dev eswitch set pci/{NoSuchDevice} mode switchdev'", error.Message);
        if (devlink)
        {
            Assert.StartsWith($"{NoSuchDevice} is not a devlink device: its driver, mlx5_core,", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("This kernel has no devlink", error.Message, StringComparison.Ordinal);
            Assert.EndsWith($"cannot reach mlx5_core of {NoSuchDevice}.", error.Message, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void ManyReads_AskForTheDevlinkFamilyOnce_AndWithoutDevlinkAskNothingMore()
    {
        bool devlink = KernelHasDevlink();
        SkipUnlessRoot();
        using var modes = new EswitchModes();

        for (int i = 0; i < 5; i++)
        {
            Assert.Null(modes.TryRead(EswitchModes.PciBus, NoSuchDevice));
        }

        Assert.Equal(devlink ? 1 + 5 : 1, modes.Requests);
    }

    [SkippableFact]
    public void Discovery_OnThisHost_AsksDevlinkAtMostOncePerSriovPfAndReportsNoError()
    {
        bool devlink = KernelHasDevlink();
        SkipUnlessRoot();
        var errors = new List<SriovException>();
        var warnings = new List<string>();
        using var modes = new EswitchModes(new CallbackReport(warn: warnings.Add, fail: errors.Add));

        var pfs = new SriovDiscovery(new HostFileSystem("/"), eswitch: modes).GetPfs(includeNotCapable: true, kernelState: true);

        int sriovPfs = pfs.Count(pf => pf.SriovSupport != SriovSupport.NotCapable);
        Assert.Empty(errors);
        Assert.Empty(warnings);
        Assert.Equal(sriovPfs == 0 ? 0 : devlink ? 1 + sriovPfs : 1, modes.Requests);
        Assert.All(pfs.Where(pf => pf.SriovSupport == SriovSupport.NotCapable), pf => Assert.Null(pf.EswitchMode));
        if (!devlink)
        {
            Assert.All(pfs, pf => Assert.Null(pf.EswitchMode));
        }
    }

    [Fact]
    public void Discovery_OfACopiedHostTree_NeverAsksDevlink()
    {
        using var tree = HostTree.FromFixture("connectx5");
        using var modes = new EswitchModes(CallbackReport.Throwing);

        var pfs = new SriovDiscovery(tree.Files, eswitch: modes).GetPfs(kernelState: true);

        Assert.NotEmpty(pfs);
        Assert.All(pfs, pf => Assert.Null(pf.EswitchMode));
        Assert.Equal(0, modes.Requests);
    }

    [Fact]
    public void Discovery_WithoutKernelState_NeverAsksDevlink()
    {
        using var modes = new EswitchModes(CallbackReport.Throwing);

        new SriovDiscovery(new HostFileSystem("/"), eswitch: modes).GetPfs(includeNotCapable: true, kernelState: false);

        Assert.Equal(0, modes.Requests);
    }
}
