using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using SriovPS.Hosting;
using SriovPS.Libvirt;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using SriovPS.VfCount;
using Xunit;
using Xunit.Abstractions;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// How big the snapshot of a large host is: the synthetic host of 8 PFs × 128 VFs, with the kernel's
/// account of all 1024 VFs (each with its own MAC, VLAN, rates, trust and counters), a pool per PF and
/// 8 running guests holding 2 VFs each. Compressed it must stay under 1 MiB, small enough to attach to a ticket.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class SnapshotSizeTests(ITestOutputHelper output)
{
    private const int PfCount = 8;
    private const int VfsPerPf = 128;
    private const long OneMiB = 1024 * 1024;

    [Fact]
    public void The_snapshot_of_8_PFs_with_128_VFs_each_is_under_1_MiB_compressed()
    {
        string parent = Directory.CreateTempSubdirectory("sriovps-size-").FullName;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string root = SyntheticHost.Create(parent, PfCount, VfsPerPf);
            var built = clock.Elapsed;
            string directory = Path.Combine(parent, "snapshot");
            SnapshotTrees.Save(root, directory);
            var saved = clock.Elapsed - built;
            var (kernel, inventory) = LiveParts();
            SavedHostBuilder.AddLiveParts(directory, kernel, inventory);
            string archive = Path.Combine(parent, "snapshot.tar.gz");
            SnapshotStore.Pack(directory, archive);

            var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), f => new FileInfo(f).Length);
            long unpacked = files.Values.Sum();
            long packed = new FileInfo(archive).Length;
            var manifest = SriovHostSnapshot.Read(directory);
            var lines = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"Snapshot of the synthetic host ({PfCount} PFs x {VfsPerPf} VFs, {manifest.Files} host entries, {inventory.Networks.Count} pools, {inventory.Guests.Count} guests):"),
                string.Create(CultureInfo.InvariantCulture, $"  archive (.tar.gz): {packed} bytes ({packed / 1024.0:F1} KiB)"),
                string.Create(CultureInfo.InvariantCulture, $"  directory: {unpacked} bytes ({unpacked / 1024.0:F1} KiB) in {files.Count} files"),
            };
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  tree built in {built.TotalSeconds:F1} s; its snapshot taken and written in {saved.TotalSeconds:F1} s"));
            lines.AddRange(files.OrderByDescending(f => f.Value).Take(6).Select(f => string.Create(CultureInfo.InvariantCulture, $"    {f.Key}: {f.Value} bytes")));
            Report(lines);

            Assert.True(packed < OneMiB, $"The archive is {packed} bytes, not under 1 MiB.");
            clock.Restart();

            // It holds what was put in: every VF with its own settings, each guest holding its two.
            using var session = new HostSession(HostContext.FromRoot(archive), new CallbackReport());
            var vfs = session.AllPfs().SelectMany(session.VfsOf).ToList();
            Assert.Equal(PfCount * VfsPerPf, vfs.Count);
            Assert.Equal(vfs.Count, vfs.Select(v => v.MacAddress).Distinct().Count());
            Assert.All(vfs, v => Assert.NotNull(v.Vlan));
            Assert.Equal(PfCount * 2, session.GuestOwners()!.Count);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  opened (unpacked into the cache) and read in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    /// <summary>The sizes in the test's output and in TestResults/snapshot-size.txt.</summary>
    private void Report(List<string> lines)
    {
        lines.ForEach(output.WriteLine);
        string results = Path.Combine(Repository.Root, "tests", "SriovPS.Tests", "TestResults");
        Directory.CreateDirectory(results);
        File.WriteAllLines(Path.Combine(results, "snapshot-size.txt"), lines);
    }

    private static (SavedKernel Kernel, LibvirtInventory Inventory) LiveParts()
    {
        var kernel = new SavedKernel();
        var pools = new List<HostdevNetworkState>();
        var guests = new List<GuestState>();
        for (int p = 0; p < PfCount; p++)
        {
            string name = $"ens{p + 1}f0";
            int bus = 0x10 + p;
            string pf = $"0000:{bus:x2}:00.0";
            int number = p + 1;
            kernel.Links[name] = SavedHostBuilder.Link(name, 2 + (p * (VfsPerPf + 1)), [0x3c, 0xfd, 0xfe, 0x10, (byte)p, 0x00], VfsPerPf, i => SavedHostBuilder.Vf(number, i));
            kernel.Addresses[name] = [$"10.{number}.0.10/24", $"fe80::3efd:feff:fe10:{p:x}00/64"];

            var vfs = Enumerable.Range(0, VfsPerPf).Select(v => $"0000:{bus:x2}:{(0x80 + v) >> 3:x2}.{(0x80 + v) & 7}").ToList();
            string guest = $"vm{number:d2}";
            var held = Enumerable.Range(0, 2).Select(v => new HeldVf(vfs[v], $"52:54:00:{number:x2}:00:{v:x2}", $"sriov-{name}")).ToList();
            pools.Add(SavedHostBuilder.Pool($"sriov-{name}", number, name, vfs, held.Select(h => (guest, number, h)).ToList()));
            guests.Add(SavedHostBuilder.RunningGuest(guest, number, held));
            foreach (var (vf, index) in held.Select((h, i) => (h, i)))
            {
                // QEMU holds each VF's group open; its command line is as long as a real guest's.
                kernel.Holders.Add(new SavedHolder(pf, new VfHolder(VfHoldKind.VfioGroup, index, vf.PciAddress, 3000 + p, QemuCommandLine(guest), $"/dev/vfio/{10 + (p * (VfsPerPf + 2)) + 2 + index}")));
            }
        }

        return (kernel, LibvirtInventory.FromStates(pools, guests, ["default"]));
    }

    private static string QemuCommandLine(string guest) =>
        $"/usr/bin/qemu-system-x86_64 -name guest={guest},debug-threads=on -S -object {{\"qom-type\":\"secret\",\"id\":\"masterKey0\",\"format\":\"raw\",\"file\":\"/var/lib/libvirt/qemu/domain-7-{guest}/master-key.aes\"}} " +
        "-machine pc-q35-8.2,usb=off,vmport=off,dump-guest-core=off,memory-backend=pc.ram,hpet=off,acpi=on -accel kvm -cpu host,migratable=on -m size=4194304k " +
        "-object {\"qom-type\":\"memory-backend-ram\",\"id\":\"pc.ram\",\"size\":4294967296} -overcommit mem-lock=off -smp 2,sockets=2,cores=1,threads=1 " +
        $"-uuid 00000002-1a2b-4c3d-8e4f-000000000001 -no-user-config -nodefaults -chardev socket,id=charmonitor,fd=30,server=on,wait=off -mon chardev=charmonitor,id=monitor,mode=control " +
        "-rtc base=utc,driftfix=slew -global kvm-pit.lost_tick_policy=delay -no-shutdown -global ICH9-LPC.disable_s3=1 -global ICH9-LPC.disable_s4=1 -boot strict=on " +
        $"-blockdev {{\"driver\":\"file\",\"filename\":\"/var/lib/libvirt/images/{guest}.qcow2\",\"node-name\":\"libvirt-1-storage\",\"auto-read-only\":true,\"discard\":\"unmap\"}} " +
        "-device {\"driver\":\"vfio-pci\",\"host\":\"0000:10:10.0\",\"id\":\"hostdev0\",\"bus\":\"pci.1\",\"addr\":\"0x0\"} -device {\"driver\":\"vfio-pci\",\"host\":\"0000:10:10.1\",\"id\":\"hostdev1\",\"bus\":\"pci.2\",\"addr\":\"0x0\"} " +
        "-chardev pty,id=charserial0 -device {\"driver\":\"isa-serial\",\"chardev\":\"charserial0\",\"id\":\"serial0\",\"index\":0} -audiodev {\"id\":\"audio1\",\"driver\":\"none\"} " +
        "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny -msg timestamp=on";
}
