using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// VF counts changed by the code behind Enable-SriovVf and Disable-SriovVf on the second igb PF of the
/// lab: created and removed for real, refused while a process holds a VF through vfio (group or device,
/// the latter the way QEMU holds it, which would make the kernel's removal wait forever), settings
/// carried across a change, and the udev rule applied by udevadm itself. Each test sets its own start.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class VfCountLabTests(VfCountLabTests.SecondIgbPf igb) : IClassFixture<VfCountLabTests.SecondIgbPf>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>The second igb PF, up; afterwards without VFs and without the module's udev rules file.</summary>
    public sealed class SecondIgbPf : IDisposable
    {
        public SecondIgbPf()
        {
            if (LabHost.IsActive && LabHost.BoundTo("igb") is { Count: > 1 } pfs)
            {
                PciAddress = pfs[1];
                LabHost.Ip("link", "set", Name, "up");
            }
        }

        public string PciAddress { get; } = string.Empty;

        /// <summary>The PF's interface now: `udevadm test` applies the host's naming policy, which may rename it.</summary>
        public string Name => Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{PciAddress}/net").Single());

        public string NumVfsPath => $"/sys/bus/pci/devices/{PciAddress}/sriov_numvfs";

        public void Dispose()
        {
            if (PciAddress.Length > 0)
            {
                LabHost.SetNumVfs(PciAddress, 0);
                LabHost.Write($"/sys/bus/pci/devices/{PciAddress}/sriov_drivers_autoprobe", "1");
                File.Delete(UdevVfRules.HostPath);
                File.Delete(UdevVfRules.HostPath + ConfigFile.BackupSuffix);
            }
        }
    }

    [SkippableFact]
    public void ZeroToSeven_CreatesTheVfs_WaitsForIgbvf_AndReportsProgress()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        LabHost.SetNumVfs(igb.PciAddress, 0);
        var progress = new List<VfCountProgress>();

        var outcome = Change(7, progress: progress.Add);

        Assert.Empty(outcome.Failures);
        Assert.Equal("7", LabHost.Read(igb.NumVfsPath));
        Assert.All(Enumerable.Range(0, 7), i => Assert.Equal("igbvf", LabHost.LinkName($"/sys/bus/pci/devices/{igb.PciAddress}/virtfn{i}/driver")));
        Assert.Equal(new VfCountProgress("7 of 7 VF drivers bound", 7, 7), progress[^1]);
        Assert.Contains($"Created 7 VFs on {igb.Name}.", outcome.Notes);
    }

    [SkippableFact]
    public void Eight_IsLimitsExceeded_AndNothingChanges()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        LabHost.SetNumVfs(igb.PciAddress, 0);

        var error = SriovAssert.Throws(SriovErrorCategory.LimitsExceeded, () => Change(8));

        Assert.Equal(ErrorCatalog.VfCountOutOfRange, error.Id);
        Assert.Equal("0", LabHost.Read(igb.NumVfsPath));
    }

    [SkippableFact]
    public void WhatIf_ThePlanAndTheHolderCheck_ChangeNothing()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var noVfDriver = LabHost.WithoutVfDriver(igb.PciAddress);
        LabHost.SetNumVfs(igb.PciAddress, 7);
        var before = VfAddresses();

        // What -WhatIf runs: the plan, its description, the holder check; then ShouldProcess says no.
        var (discovery, pf) = Read();
        var plan = VfCountPlan.For(pf, 3, driversAutoprobe: false);
        Assert.Empty(new VfCountChanger(new HostFileSystem("/"), discovery, null).FindHolders(pf));

        Assert.Equal("set sriov_drivers_autoprobe to 0, then re-create its VFs, 7 → 3 (all 7 present VFs are destroyed first)", plan.Action);
        Assert.Equal("7", LabHost.Read(igb.NumVfsPath));
        Assert.Equal("1", LabHost.Read($"/sys/bus/pci/devices/{igb.PciAddress}/sriov_drivers_autoprobe"));
        Assert.Equal(before, VfAddresses());
    }

    [SkippableTheory]
    [InlineData("group")]
    [InlineData("device")]
    public void SevenToThree_WhileAProcessHoldsAVfThroughVfio_IsRefusedWithoutHanging_ThenAllowedOnceItExits(string hold)
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var noVfDriver = LabHost.WithoutVfDriver(igb.PciAddress);
        LabHost.SetNumVfs(igb.PciAddress, 7);
        string vf = LabHost.LinkName($"/sys/bus/pci/devices/{igb.PciAddress}/virtfn6")!;
        LabHost.Bind(vf, "vfio-pci");
        string group = LabHost.LinkName($"/sys/bus/pci/devices/{vf}/iommu_group")!;

        using (var holder = VfioHolder.Start(hold, group, vf))
        {
            // Run beside a deadline: a write while the device is open would block in the kernel for good.
            var attempt = Task.Run(() => Change(3));
            Assert.True(Task.WaitAny([attempt], TimeSpan.FromSeconds(30)) == 0, "the change did not return while a VF was held");
            var error = SriovAssert.IsError(SriovErrorCategory.ResourceBusy, attempt.Exception?.InnerException);

            Assert.Equal((ErrorCatalog.VfsInUse, SriovErrorCategory.ResourceBusy), (error.Id, error.Category));
            Assert.Contains($"PID {holder.ProcessId} (", error.Message);
            // Kernels from 6.18 name a vfio device descriptor's device; older ones do not.
            Assert.Matches(
                hold == "group" ? $"has /dev/vfio/{group} open, the IOMMU group of vf 6 \\({vf}\\)" : $"has (a vfio device open|vf 6 \\({vf}\\) open through vfio)",
                error.Message);
            Assert.Equal("7", LabHost.Read(igb.NumVfsPath));
            Assert.Equal("vfio-pci", LabHost.LinkName($"/sys/bus/pci/devices/{vf}/driver"));
        }

        var outcome = Change(3);

        Assert.Empty(outcome.Failures);
        Assert.Equal("3", LabHost.Read(igb.NumVfsPath));
    }

    [SkippableFact]
    public void PreserveSettings_KeepsVf0sMacAndVlan_AcrossSevenToThree_AndTheDriverStartsWithTheMac()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);

        // The 7 VFs come without a driver (each probe costs seconds here); the 3 that survive are probed.
        string autoprobe = $"/sys/bus/pci/devices/{igb.PciAddress}/sriov_drivers_autoprobe";
        LabHost.Write(autoprobe, "0");
        try
        {
            LabHost.SetNumVfs(igb.PciAddress, 7);
        }
        finally
        {
            LabHost.Write(autoprobe, "1");
        }

        // One setting per request, as Set-SriovVf sends them: the emulated igb refuses iproute2's single
        // request carrying all three with "Operation not supported".
        LabHost.Ip("link", "set", igb.Name, "vf", "0", "mac", "02:53:52:00:07:00");
        LabHost.Ip("link", "set", igb.Name, "vf", "0", "vlan", "42", "qos", "2");
        LabHost.Ip("link", "set", igb.Name, "vf", "0", "spoofchk", "off");
        LabHost.Ip("link", "set", igb.Name, "vf", "1", "trust", "on");

        var outcome = Change(3, preserveSettings: true);

        Assert.Empty(outcome.Failures);
        Assert.Equal("3", LabHost.Read(igb.NumVfsPath));
        var vf0 = IpVf(0);
        Assert.Equal(("02:53:52:00:07:00", 42, 2, false), (vf0.GetProperty("address").GetString(), vf0.GetProperty("vlan_list")[0].GetProperty("vlan").GetInt32(), vf0.GetProperty("vlan_list")[0].GetProperty("qos").GetInt32(), vf0.GetProperty("spoofchk").GetBoolean()));
        Assert.True(IpVf(1).GetProperty("trust").GetBoolean());
        Assert.False(IpVf(2).GetProperty("trust").GetBoolean());

        // Autoprobe was held off while the settings went back, and is on again with every VF bound.
        Assert.Equal("1", LabHost.Read($"/sys/bus/pci/devices/{igb.PciAddress}/sriov_drivers_autoprobe"));
        LabHost.WaitUntil(() => Enumerable.Range(0, 3).All(i => LabHost.LinkName($"/sys/bus/pci/devices/{igb.PciAddress}/virtfn{i}/driver") == "igbvf"), "igbvf on the 3 VFs");
    }

    [SkippableFact]
    public void Persist_WritesTheRule_ASecondRunLeavesItByteIdentical_AndUdevCreatesTheVfsFromIt()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var noVfDriver = LabHost.WithoutVfDriver(igb.PciAddress);
        LabHost.SetNumVfs(igb.PciAddress, 0);
        File.WriteAllText(UdevVfRules.HostPath, "# a line of the admin's own\n");

        Persist(7);
        byte[] first = File.ReadAllBytes(UdevVfRules.HostPath);
        Persist(7);

        Assert.Equal(first, File.ReadAllBytes(UdevVfRules.HostPath));
        string line = $"ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"{igb.PciAddress}\", ATTR{{device/sriov_numvfs}}=\"7\"";
        Assert.Equal($"# a line of the admin's own\n{line}\n", File.ReadAllText(UdevVfRules.HostPath));

        Skip.IfNot(File.Exists("/usr/bin/udevadm") || File.Exists("/bin/udevadm"), "udev is not installed here, so udevadm cannot check the rule");
        var (exitCode, output, error) = ExternalProgram.TryRun("udevadm", null, "test", "--action=add", $"/sys/class/net/{igb.Name}");
        Console.WriteLine(error);
        Assert.True(exitCode == 0, error);
        Assert.Contains($"{UdevVfRules.HostPath}:2 ATTR '", output + error);
        Assert.Contains($"/sriov_numvfs' writing '7'", output + error);
        LabHost.WaitUntil(() => LabHost.Read(igb.NumVfsPath) == "7", "7 VFs created by the udev rule");

        // Disable-SriovVf -Persist: the line goes, the admin's line stays.
        var rules = new ConfigFile(new HostFileSystem("/"), UdevVfRules.HostPath);
        using (var prepared = rules.Prepare(UdevVfRules.Without(rules.ReadText(), igb.PciAddress)!))
        {
            prepared.Commit();
        }

        Assert.Equal("# a line of the admin's own\n", File.ReadAllText(UdevVfRules.HostPath));
    }

    [SkippableFact]
    public void Disable_RemovesEveryVf()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var noVfDriver = LabHost.WithoutVfDriver(igb.PciAddress);
        LabHost.SetNumVfs(igb.PciAddress, 7);

        var outcome = Change(0);

        Assert.Empty(outcome.Failures);
        Assert.Equal("0", LabHost.Read(igb.NumVfsPath));
        Assert.False(Path.Exists($"/sys/bus/pci/devices/{igb.PciAddress}/virtfn0"));
        Assert.True(Read().Pf.NumVfs == 0);
    }

    /// <summary>What Enable-SriovVf (and, for 0, Disable-SriovVf) does once confirmed: plan, lock, change.</summary>
    private HostReport Change(int count, bool preserveSettings = false, Action<VfCountProgress>? progress = null)
    {
        using var links = new KernelLinks(CallbackReport.Throwing);
        var files = new HostFileSystem("/");
        var discovery = new SriovDiscovery(files, links: links);
        var pf = discovery.GetPfs().Single(p => p.PciAddress == igb.PciAddress);
        var plan = VfCountPlan.For(pf, count, allowZero: count == 0);
        using var hostLock = HostChangeLock.Acquire(files, TimeSpan.FromSeconds(10));
        return new VfCountChanger(files, discovery, links).Apply(plan, preserveSettings, Wait, progress);
    }

    /// <summary>What -Persist does for Enable-SriovVf: the PF's line in the rules file, written only when it changes.</summary>
    private void Persist(int count)
    {
        var rules = new ConfigFile(new HostFileSystem("/"), UdevVfRules.HostPath);
        string? text = rules.ReadText();
        string updated = UdevVfRules.WithCount(text, igb.PciAddress, count, null);
        if (updated != text)
        {
            using var prepared = rules.Prepare(updated);
            prepared.Commit();
        }
    }

    private (SriovDiscovery Discovery, SriovPf Pf) Read()
    {
        var discovery = new SriovDiscovery(new HostFileSystem("/"));
        return (discovery, discovery.GetPfs().Single(p => p.PciAddress == igb.PciAddress));
    }

    private List<string?> VfAddresses() =>
        Enumerable.Range(0, 8).Select(i => LabHost.LinkName($"/sys/bus/pci/devices/{igb.PciAddress}/virtfn{i}")).ToList();

    private System.Text.Json.JsonElement IpVf(int index) =>
        VfSettingsLabTests.IpDetails(igb.Name).GetProperty("vfinfo_list").EnumerateArray().Single(v => v.GetProperty("vf").GetInt32() == index);
}
