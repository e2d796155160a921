using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Discovery;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Files;
using SriovPS.Readiness;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Test-SriovHost's checks on the live lab guest (an emulated VT-d IOMMU with interrupt remapping, two
/// igb PFs, a real libvirtd, this machine's AppArmor policy): the IOMMU ready, both PFs capable; with
/// VFs enabled and one on vfio-pci the vfio checks pass and AppArmor is judged on its real group; with
/// the PF down its link check fails with the remedy.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class HostReadinessLabTests(LibvirtPoolLabTests.LabLibvirt lab) : IClassFixture<LibvirtPoolLabTests.LabLibvirt>
{
    private const string VfioConf = "/etc/modules-load.d/vfio.conf";
    private const string Pool = "readiness-sr-iov";
    private const string LocalAbstraction = "/etc/apparmor.d/local/abstractions/libvirt-qemu";
    private readonly HostFileSystem _files = new("/");

    private List<SriovHostCheck> Run()
    {
        var discovery = new SriovDiscovery(_files);
        var pfs = discovery.GetPfs();
        string uri = lab.Daemon!.Uri;
        var pfVfs = pfs.Select(p => new SriovPS.Libvirt.PfVfAddresses(p.Name!, p.PciAddress, VfAddressList.Read(_files, p.PciAddress))).ToList();
        return HostReadiness.Run(new HostReadinessInput
        {
            Files = _files,
            Pfs = pfs,
            VfsOf = pf => discovery.GetVfs(pf),
            Libvirt = LibvirtFacts.Read(uri, pfVfs),
            Uri = uri,
        });
    }

    private static SriovHostCheck One(List<SriovHostCheck> checks, string id, string? target = null) =>
        Assert.Single(checks, c => c.Id == id && (target is null || c.Target == target));

    [SkippableFact]
    public void TheLabIsReady_OnceAVfIsOnVfio_AndItsPfDown_FailsTheLinkCheckWithTheRemedy()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.True(lab.Daemon?.Unavailable is null, lab.Daemon?.Unavailable);
        string pf = lab.Pfs[1];
        string name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{pf}/net").Single());
        LabHost.Ip("link", "set", name, "up");

        var before = Run();
        Assert.All(new[] { "Iommu.Enabled", "Iommu.Passthrough", "Iommu.InterruptRemapping" }, id => Assert.Equal(SriovCheckStatus.Pass, One(before, id).Status));
        Assert.Contains("dmar0 in /sys/class/iommu", One(before, "Iommu.Enabled").Finding);
        Assert.Contains("IR-", One(before, "Iommu.InterruptRemapping").Finding);
        foreach (var igb in lab.Pfs)
        {
            var capable = Assert.Single(before, c => c.Id == "Pf.SriovCapable" && c.Finding.Contains(igb));
            Assert.Equal(SriovCheckStatus.Pass, capable.Status);
            Assert.EndsWith("can create 7 VFs.", capable.Finding);
        }

        Assert.Equal(SriovCheckStatus.Pass, One(before, "Libvirt.Reachable").Status);
        Assert.Equal(SriovCheckStatus.Warning, One(before, "Pf.VfsEnabled", name).Status);

        // No VFs yet: the VF BARs' address space is read from the PF's resource file.
        var bars = One(before, "Pf.BarSpace", name);
        Assert.Equal(SriovCheckStatus.Pass, bars.Status);
        Assert.StartsWith("The VF BARs have address space (VF BAR 0 at 0x", bars.Finding);

        try
        {
            LabHost.SetNumVfs(pf, 2);
            string vf0 = LabHost.LinkName($"/sys/bus/pci/devices/{pf}/virtfn0")!;
            LabHost.Bind(vf0, "vfio-pci");
            File.WriteAllText(VfioConf, "vfio\nvfio_iommu_type1\nvfio_pci\n");
            int group = int.Parse(LabHost.LinkName($"/sys/bus/pci/devices/{vf0}/iommu_group")!, System.Globalization.CultureInfo.InvariantCulture);

            var ready = Run();
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Vfio.Loaded").Status);
            var atBoot = One(ready, "Vfio.LoadAtBoot");
            Assert.Equal((SriovCheckStatus.Pass, "vfio_pci is loaded at boot by /etc/modules-load.d/vfio.conf line 3 (vfio and vfio_iommu_type1 too)."), (atBoot.Status, atBoot.Finding));
            Assert.Equal("2 of 7 VFs are enabled.", One(ready, "Pf.VfsEnabled", name).Finding);
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Pf.VfIsolation", name).Status);
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Pf.BarSpace", name).Status);
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Pf.LinkUp", name).Status);

            // A pool on the PF: QEMU will open the groups of the VFs it hands out. This machine's AppArmor
            // policy, as Debian ships it, allows the vfio container but no group.
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Libvirt.AppArmorVfio").Status);
            using (var network = LibvirtSessions.Connect(lab.Daemon!.Uri).DefineNetwork(HostdevNetworkXml.ForPf(Pool, name)))
            {
                network.Create();
            }

            ready = Run();
            Assert.Equal(SriovCheckStatus.Pass, One(ready, "Pool.State", Pool).Status);
            var denied = One(ready, "Libvirt.AppArmorVfio");
            Assert.Equal(SriovCheckStatus.Fail, denied.Status);
            Assert.Contains($"/dev/vfio/{group} (VF 0 of {name}, {vf0}, in pool '{Pool}')", denied.Finding);
            Assert.Contains(": Permission denied\".", denied.Finding);
            Assert.Equal("Repair-VfioAppArmor", denied.Remedy);
            File.AppendAllText(LocalAbstraction, "/dev/vfio/* rw,\n");
            Assert.Equal(SriovCheckStatus.Pass, One(Run(), "Libvirt.AppArmorVfio").Status);

            LabHost.Ip("link", "set", name, "down");
            var down = One(Run(), "Pf.LinkUp", name);
            Assert.Equal(SriovCheckStatus.Fail, down.Status);
            Assert.Contains($"(\"Unable to configure VF 0 of PF '{name}' because the PF is not online\")", down.Finding);
            Assert.Equal($"Set-SriovPf -Name {name} -LinkState Up -Persist", down.Remedy);
        }
        finally
        {
            using (var network = LibvirtSessions.Connect(lab.Daemon!.Uri).LookupNetwork(Pool))
            {
                if (network is not null)
                {
                    if (network.IsActive)
                    {
                        network.Destroy();
                    }

                    network.Undefine();
                }
            }

            LabHost.Ip("link", "set", name, "up");
            File.Delete(VfioConf);
            File.WriteAllText(LocalAbstraction, "");
            LabHost.SetNumVfs(pf, 0);
        }
    }
}
