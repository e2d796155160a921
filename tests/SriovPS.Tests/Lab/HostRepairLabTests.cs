using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using SriovPS.Boot;
using SriovPS.Discovery;
using SriovPS.Hosting;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Files;
using SriovPS.Plans;
using SriovPS.Readiness;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// The repairs on the lab guest, whose root is an overlay over a copy of this machine's: Enable-SriovIommu
/// -NoRegenerate writes the documented /etc/default/grub and vfio.conf (a second run changes nothing),
/// Repair-VfioAppArmor the rules for the groups of the VFs a real pool hands out (the readiness check then
/// passes, with this machine's AppArmor policy and apparmor_parser), and Test-SriovHost -Fix's steps bring a
/// downed igb PF up, turning its failed link check into a pass.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class HostRepairLabTests(LibvirtPoolLabTests.LabLibvirt lab) : IClassFixture<LibvirtPoolLabTests.LabLibvirt>
{
    private const string Grub = "/etc/default/grub";
    private const string VfioConf = "/etc/modules-load.d/vfio.conf";
    private const string Local = "/etc/apparmor.d/local/abstractions/libvirt-qemu";
    private const string Pool = "repair-sr-iov";

    // Debian 12's /etc/default/grub as installed (the lab's root has no GRUB).
    private const string DebianGrub =
        "# If you change this file, run 'update-grub' afterwards to update\n# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n#   info -f grub -n 'Simple configuration'\n\n" +
        "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n\n" +
        "# Uncomment to disable graphical terminal (grub-pc only)\n#GRUB_TERMINAL=console\n";

    private readonly HostFileSystem _files = new("/");

    private List<SriovHostCheck> Run()
    {
        var discovery = new SriovDiscovery(_files);
        var pfs = discovery.GetPfs();
        string uri = lab.Daemon!.Uri;
        return HostReadiness.Run(new HostReadinessInput
        {
            Files = _files,
            Pfs = pfs,
            VfsOf = pf => discovery.GetVfs(pf),
            Libvirt = LibvirtFacts.Read(uri, PfVfs(pfs)),
            Uri = uri,
        });
    }

    private List<PfVfAddresses> PfVfs(List<SriovPf> pfs) =>
        pfs.Select(p => new PfVfAddresses(p.Name!, p.PciAddress, VfAddressList.Read(_files, p.PciAddress))).ToList();

    private static List<SriovHostChange> Apply(ChangePlan plan) => PlanDriver.Run(plan, root: null).Changes;

    private static SriovHostCheck One(List<SriovHostCheck> checks, string id, string? target = null) =>
        Assert.Single(checks, c => c.Id == id && (target is null || c.Target == target));

    [SkippableFact]
    public void EnableSriovIommu_NoRegenerate_WritesTheDocumentedFiles_Once()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        File.WriteAllText(Grub, DebianGrub);
        try
        {
            var plan = new HostRepairs(_files, null).Iommu([ModuleMaxVfs.Parse("igb=7")], commandLine: true, modules: true, regenerate: false);
            var changes = Apply(plan);

            // The lab's IOMMU is an emulated VT-d: Intel's words, whatever the CPU model says.
            Assert.Contains(plan.Report.Notes, n => n.StartsWith("The IOMMU is Intel's (the firmware has a DMAR table", System.StringComparison.Ordinal));
            Assert.Equal(DebianGrub.Replace("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt igb.max_vfs=7\""), File.ReadAllText(Grub));
            Assert.Equal(
                "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.\nvfio\nvfio_iommu_type1\nvfio_pci\n",
                File.ReadAllText(VfioConf));
            // The guest booted with intel_iommu=on iommu=pt but without the VF count: that waits for a reboot.
            var grub = Assert.Single(changes, c => c.Path == Grub);
            Assert.Equal(("add intel_iommu=on iommu=pt igb.max_vfs=7 to GRUB_CMDLINE_LINUX_DEFAULT", true), (grub.Summary, grub.RebootRequired));
            Assert.Contains(plan.Report.Notes, n => n.StartsWith("-NoRegenerate", System.StringComparison.Ordinal));

            var again = new HostRepairs(_files, null).Iommu([ModuleMaxVfs.Parse("igb=7")], commandLine: true, modules: true, regenerate: false);
            Assert.Empty(again.Steps);
            Assert.All(again.Unchanged, c => Assert.False(c.Changed));
            Assert.Equal(SriovCheckStatus.Pass, One(Run(), "Vfio.LoadAtBoot").Status);
        }
        finally
        {
            File.Delete(Grub);
            File.Delete(Grub + ConfigFile.BackupSuffix);
            File.Delete(VfioConf);
        }
    }

    [SkippableFact]
    public void RepairVfioAppArmor_AllowsThePoolsGroups_AndFixBringsTheDownedPfUp()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.True(lab.Daemon?.Unavailable is null, lab.Daemon?.Unavailable);
        string pf = lab.Pfs[1];
        string name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{pf}/net").Single());
        string? localBefore = File.Exists(Local) ? File.ReadAllText(Local) : null;
        var written = new List<string>();
        LabHost.Ip("link", "set", name, "up");
        try
        {
            LabHost.SetNumVfs(pf, 2);
            using (var network = LibvirtSessions.Connect(lab.Daemon!.Uri).DefineNetwork(HostdevNetworkXml.ForPf(Pool, name)))
            {
                network.Create();
            }

            var before = Run();
            var denied = One(before, "Libvirt.AppArmorVfio");
            Assert.Equal(SriovCheckStatus.Fail, denied.Status);

            // Repair-VfioAppArmor's default: the groups of the VFs the pools hand out.
            var discovery = new SriovDiscovery(_files);
            var pfs = discovery.GetPfs();
            var facts = LibvirtFacts.Read(lab.Daemon.Uri, PfVfs(pfs));
            var needs = HostReadiness.GroupsInUse(pfs, facts.Pools, p => discovery.GetVfs(p));
            Assert.Equal(2, needs.Count);
            var plan = new HostRepairs(_files, null).VfioAppArmor(needs, allGroups: false);
            Assert.Single(Apply(plan));

            string[] rules = File.ReadAllLines(Local).Where(l => l.StartsWith("/dev/vfio/", System.StringComparison.Ordinal)).ToArray();
            Assert.Equal(
                needs.OrderBy(n => n.Group).Select((n, i) => $"/dev/vfio/{n.Group} rw,  # SriovPS group of {n.Device}: VF {i} of {name} in pool '{Pool}'"),
                rules);
            Assert.Contains(plan.Report.Notes, n => n.StartsWith("No guest runs under a libvirt AppArmor profile now", System.StringComparison.Ordinal));
            var repaired = Run();
            Assert.Equal(SriovCheckStatus.Pass, One(repaired, "Libvirt.AppArmorVfio").Status);
            var stale = One(repaired, "Libvirt.AppArmorStaleRules");
            Assert.True(stale.Status == SriovCheckStatus.Pass, stale.Finding + "\n" + File.ReadAllText(Local));
            Assert.Empty(new HostRepairs(_files, null).VfioAppArmor(needs, allGroups: false).Steps);

            // Test-SriovHost -Fix: the failed link check names its repair; its steps bring the PF up.
            LabHost.Ip("link", "set", name, "down");
            var down = Run();
            Assert.Equal(SriovCheckStatus.Fail, One(down, "Pf.LinkUp", name).Status);
            var repairs = HostRepairs.Named(down);
            Assert.Contains(new HostRepair(HostRepairKind.PfLinkUp, name), repairs);
            using var links = new KernelLinks();
            var fix = new HostRepairs(_files, links).For(repairs, needs, n => pfs.Find(p => p.Name == n)?.Driver);
            Assert.Contains(fix.Steps, s => s.Action == $"ip link set {name} up");
            written.AddRange(Apply(fix).Select(c => c.Path));

            // Up at once; the carrier follows when the emulated link has negotiated (the check warns until then).
            Assert.True(HostPolling.Until(() => File.ReadAllText($"/sys/class/net/{name}/operstate").Trim() == "up", System.TimeSpan.FromSeconds(30), CancellationToken.None), $"{name} got no carrier");
            var after = Run();
            Assert.Equal(SriovCheckStatus.Pass, One(after, "Pf.LinkUp", name).Status);
            Assert.DoesNotContain(HostRepairs.Named(after), r => r.Kind == HostRepairKind.PfLinkUp);
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
            File.WriteAllText(Local, localBefore ?? "");
            // The network configuration -Fix wrote to bring the PF up at boot belongs to this test only.
            foreach (var path in written.Where(p => p != Local))
            {
                File.Delete(path);
            }

            LabHost.SetNumVfs(pf, 0);
        }
    }

    [SkippableFact]
    public void FixLeavesTheBootConfigurationOfAPfConfiguredElsewhereAlone()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        string pf = lab.Pfs[1];
        string name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{pf}/net").Single());
        // The site's own configuration of the PF, as when it is the management NIC too, for systemd-networkd,
        // shown as running by the state file it writes (the lab's guest starts no network manager).
        string site = $"/etc/systemd/network/05-site-{name}.network";
        const string NetworkdState = "/run/systemd/netif/state";
        bool stateWritten = !File.Exists(NetworkdState);
        Directory.CreateDirectory("/etc/systemd/network");
        Directory.CreateDirectory("/run/systemd/netif");
        File.WriteAllText(site, $"[Match]\nName={name}\n\n[Network]\nDHCP=yes\n");
        if (stateWritten)
        {
            File.WriteAllText(NetworkdState, "OPER_STATE=routable\n");
        }

        try
        {
            using var links = new KernelLinks();
            var plan = new HostRepairs(_files, links).PfLinkUp(name, "igb");

            Assert.DoesNotContain(plan.Steps, s => s.Target.StartsWith("/etc/", System.StringComparison.Ordinal));
            Assert.Contains(plan.Report.Warnings, w => w.Contains(Path.GetFileName(site), System.StringComparison.Ordinal) && w.Contains("Set-SriovPf", System.StringComparison.Ordinal));
            Assert.Empty(plan.Report.Failures);
        }
        finally
        {
            File.Delete(site);
            if (stateWritten)
            {
                File.Delete(NetworkdState);
            }
        }
    }
}