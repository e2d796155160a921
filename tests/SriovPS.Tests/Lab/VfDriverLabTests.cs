using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Native.Files;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using SriovPS.VfDriver;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// VF drivers changed by the code behind Set-SriovVfDriver on the lab's second igb PF: a VF to
/// vfio-pci and back with its /dev/vfio node appearing and going, a held VF refused, and the boot
/// rules checked by udevadm on a PF whose VFs are created again.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class VfDriverLabTests(VfCountLabTests.SecondIgbPf igb) : IClassFixture<VfCountLabTests.SecondIgbPf>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly HostFileSystem _files = new("/");

    [SkippableFact]
    public void ToVfioAndBack_TheGroupNodeAppearsAndGoes_AndASecondRunDoesNothing()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        LabHost.SetNumVfs(igb.PciAddress, 2);
        var vf = Vf(0);
        string node = $"/dev/vfio/{vf.IommuGroup}";
        Assert.Equal("igbvf", vf.Driver);
        Assert.False(File.Exists(node));

        Move(vf, "vfio-pci");

        var moved = Vf(0);
        Assert.Equal(("vfio-pci", node), (moved.Driver, moved.VfioDevice));
        Assert.True(File.Exists(node), $"{node} did not appear");
        Assert.Equal("vfio-pci", LabHost.Read($"/sys/bus/pci/devices/{vf.PciAddress}/driver_override"));
        Assert.Equal("igbvf", Vf(1).Driver);
        var again = VfDriverPlan.For(_files, [(Pf(), moved)], "vfio-pci");
        Assert.Empty(again.Moves);
        Assert.Single(again.Unchanged);

        Move(moved, null);

        var back = Vf(0);
        Assert.Equal("igbvf", back.Driver);
        Assert.Null(back.VfioDevice);
        Assert.NotNull(back.Name);
        Assert.Equal("(null)", LabHost.Read($"/sys/bus/pci/devices/{vf.PciAddress}/driver_override"));
        LabHost.WaitUntil(() => !File.Exists(node), $"{node} to go", 10);
    }

    [SkippableFact]
    public void Default_WhileAProcessHoldsTheVfsGroup_IsRefused_AndTheVfStaysOnVfio()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        LabHost.SetNumVfs(igb.PciAddress, 2);
        Move(Vf(1), "vfio-pci");
        var vf = Vf(1);

        using (var holder = VfioHolder.Start("group", vf.IommuGroup!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), vf.PciAddress))
        {
            var move = Assert.Single(VfDriverPlan.For(_files, [(Pf(), vf)], null).Moves);
            var error = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => new VfDriverChanger(_files).Apply(move, Wait));

            Assert.Equal(ErrorCatalog.VfsInUse, error.Id);
            Assert.Contains($"PID {holder.ProcessId} (", error.Message);
            Assert.Equal("vfio-pci", Vf(1).Driver);
            Assert.Equal("vfio-pci", LabHost.Read($"/sys/bus/pci/devices/{vf.PciAddress}/driver_override"));
        }

        Move(Vf(1), null);
        Assert.Equal("igbvf", Vf(1).Driver);
    }

    [SkippableFact]
    public void Persist_TheBootRules_BindVf0ToVfioAndVf1ToIgbvf_WhenTheVfsAreCreatedAgain()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Skip.IfNot(File.Exists("/usr/bin/udevadm") || File.Exists("/bin/udevadm"), "udev is not installed here, so udevadm cannot check the rules");
        LabHost.SetNumVfs(igb.PciAddress, 2);
        new VfDriverChanger(_files).EnsureDriver("vfio-pci");
        var pf = Pf();
        var vfs = Discovery().GetVfs(pf);
        var rules = new ConfigFile(_files, UdevVfRules.HostPath);
        var (text, warnings) = VfDriverPersistence.Plan(
            rules.ReadText(), pf, vfs, new Dictionary<string, string?> { [vfs[0].PciAddress] = "vfio-pci" }, new PciDriverAvailability(_files));
        using (var prepared = rules.Prepare(text!))
        {
            prepared.Commit();
        }

        Assert.Contains("recreating its 2 VFs at boot", Assert.Single(warnings));
        Assert.Equal("vfio-pci", UdevVfDriverRules.Find(text)[vfs[0].PciAddress]);
        Assert.Equal("igbvf", UdevVfDriverRules.Find(text)[vfs[1].PciAddress]);

        try
        {
            // What boot does: the PF appears (its rule holds autoprobe and creates the VFs), then each VF.
            LabHost.SetNumVfs(igb.PciAddress, 0);
            Udev($"/sys/class/net/{igb.Name}");
            LabHost.WaitUntil(() => LabHost.Read(igb.NumVfsPath) == "2", "2 VFs created by the udev rule");
            Assert.Equal("0", LabHost.Read($"/sys/bus/pci/devices/{igb.PciAddress}/sriov_drivers_autoprobe"));
            Assert.All(vfs, vf => Assert.Null(LabHost.LinkName($"/sys/bus/pci/devices/{vf.PciAddress}/driver")));

            Udev($"/sys/bus/pci/devices/{vfs[0].PciAddress}");
            Udev($"/sys/bus/pci/devices/{vfs[1].PciAddress}");

            LabHost.WaitUntil(() => LabHost.LinkName($"/sys/bus/pci/devices/{vfs[0].PciAddress}/driver") == "vfio-pci", "vf 0 on vfio-pci");
            LabHost.WaitUntil(() => LabHost.LinkName($"/sys/bus/pci/devices/{vfs[1].PciAddress}/driver") == "igbvf", "vf 1 on igbvf");

            // -Driver Default -Persist: the VF lines and the autoprobe hold go again.
            var (released, _) = VfDriverPersistence.Plan(
                rules.ReadText(), Pf(), vfs, new Dictionary<string, string?> { [vfs[0].PciAddress] = null }, new PciDriverAvailability(_files));
            Assert.Empty(UdevVfDriverRules.Find(released));
            Assert.Equal(new UdevVfRules.Entry(2, null), UdevVfRules.Find(released, igb.PciAddress));
        }
        finally
        {
            LabHost.SetNumVfs(igb.PciAddress, 0);
            LabHost.Write($"/sys/bus/pci/devices/{igb.PciAddress}/sriov_drivers_autoprobe", "1");
        }
    }

    private static void Udev(string device)
    {
        var (exitCode, output, error) = ExternalProgram.TryRun("udevadm", null, "test", "--action=add", device);
        Console.WriteLine(error);
        Assert.True(exitCode == 0, error + output);
    }

    private void Move(SriovVf vf, string? driver)
    {
        var plan = VfDriverPlan.For(_files, [(Pf(), vf)], driver);
        Assert.Empty(plan.Refusals);
        var changer = new VfDriverChanger(_files);
        if (driver is not null)
        {
            changer.EnsureDriver(driver);
        }

        Assert.Empty(changer.Apply(Assert.Single(plan.Moves), Wait));
    }

    private SriovDiscovery Discovery() => new(_files);

    private SriovPf Pf() => Discovery().GetPfs().Single(p => p.PciAddress == igb.PciAddress);

    private SriovVf Vf(int index) => Discovery().GetVfs(Pf()).Single(v => v.Index == index);
}
