using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Hosting;
using SriovPS.Native.Files;
using SriovPS.Snapshot;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// A snapshot holds every file the Get- and Test- commands read, and read as a host it gives what the
/// host it was taken of gave: the readers are run with the file system telling every path they ask.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class SnapshotCompletenessTests
{
    public static TheoryData<string> Trees() => SnapshotTrees.All();

    [Theory]
    [MemberData(nameof(Trees))]
    public void Every_path_the_readers_ask_for_that_the_host_has_is_in_its_snapshot(string fixture)
    {
        using var tree = SnapshotTrees.Make(fixture);
        var asked = AskedPaths(tree);
        using var captured = SnapshotTrees.Captured(SnapshotFiles.Capture(new HostFileSystem(tree.Root)));

        var host = new HostFileSystem(tree.Root);
        var kept = new HostFileSystem(captured.Root);
        var missing = asked.Where(p => host.Exists(p) && !kept.Exists(p) && !LeftOutByContent(host, p)).ToList();

        Assert.True(missing.Count == 0, $"{missing.Count} of the {asked.Count} paths read on {fixture} are not in its snapshot:\n  {string.Join("\n  ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void A_directory_the_readers_list_has_the_same_names_in_the_snapshot_where_they_matter(string fixture)
    {
        // A name listed but not then read is itself what the module judges (a module loaded, a grub.cfg
        // under /boot/efi/EFI/VENDOR): each listed name that was also asked for must be kept.
        using var tree = SnapshotTrees.Make(fixture);
        var asked = AskedPaths(tree);
        using var captured = SnapshotTrees.Captured(SnapshotFiles.Capture(new HostFileSystem(tree.Root)));
        var host = new HostFileSystem(tree.Root);
        var kept = new HostFileSystem(captured.Root);

        var lost = new List<string>();
        foreach (var directory in asked.Where(p => host.ListNames(p).Count > 0))
        {
            var names = kept.ListNames(directory).ToHashSet(StringComparer.Ordinal);
            lost.AddRange(host.ListNames(directory).Where(n => !names.Contains(n) && asked.Contains($"{directory}/{n}") && !LeftOutByContent(host, $"{directory}/{n}")).Select(n => $"{directory}/{n}"));
        }

        Assert.True(lost.Count == 0, $"Listed and read on {fixture}, but not in its snapshot:\n  {string.Join("\n  ", lost.Distinct().Order(StringComparer.Ordinal))}");
    }

    [Fact]
    public void The_configured_tree_makes_the_readers_ask_for_its_configuration_files()
    {
        // Otherwise the test above would pass for a tree whose files the readers never look at.
        using var tree = SnapshotTrees.Make(SnapshotTrees.Configured);
        var asked = AskedPaths(tree);
        Assert.Contains("/etc/default/grub", asked);
        Assert.Contains("/etc/modprobe.d/igb.conf", asked);
        Assert.Contains("/etc/udev/rules.d/80-vfs.rules", asked);
        Assert.Contains("/etc/netplan/01-eno51.yaml", asked);
        Assert.Contains("/etc/NetworkManager/system-connections/eno52.nmconnection", asked);
        Assert.Contains("/etc/systemd/network/10-eno49.link", asked);
        Assert.Contains("/etc/libvirt/qemu.conf", asked);
        Assert.Contains("/proc/cmdline", asked);
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void The_readers_give_the_same_pfs_vfs_checks_configuration_and_exports_on_a_snapshot_as_on_the_tree(string fixture)
    {
        using var tree = SnapshotTrees.Make(fixture);
        using var directory = HostTree.Empty();
        string path = Path.Combine(directory.Root, "snapshot");
        SnapshotTrees.Save(tree.Root, path);

        var live = HostReading.Read(HostContext.FromRoot(tree.Root));
        var snapshot = HostContext.FromRoot(path);
        var saved = HostReading.Read(snapshot);

        Assert.Equal(live.Pfs.Select(p => p.PciAddress), saved.Pfs.Select(p => p.PciAddress));
        for (int i = 0; i < live.Pfs.Count; i++)
        {
            SameLines(HostReading.Describe(live.Pfs[i]), HostReading.Describe(saved.Pfs[i]), live.Pfs[i].PciAddress);
            var liveVfs = live.Vfs[live.Pfs[i].PciAddress];
            var savedVfs = saved.Vfs[live.Pfs[i].PciAddress];
            Assert.Equal(liveVfs.Count, savedVfs.Count);
            for (int v = 0; v < liveVfs.Count; v++)
            {
                SameLines(HostReading.Describe(liveVfs[v]), HostReading.Describe(savedVfs[v]), liveVfs[v].PciAddress);
            }
        }

        // An unnamed host is named by its root in host-wide checks: the tree's, and the snapshot as it was named.
        SameLines(Checks(live, tree.Root), Checks(saved, snapshot.Location), "Test-SriovHost");
        Assert.Equal(live.Configuration, saved.Configuration);
        Assert.Equal(live.Exports, saved.Exports);
        Assert.Equal(live.VfCountSources, saved.VfCountSources);
    }

    /// <summary>The checks as lines, the host's root as "ROOT".</summary>
    internal static List<string> Checks(HostReading reading, string root) =>
        reading.Checks
            .Select(c => $"{c.Id} {c.Status} [{c.Target}] {c.Finding} | {c.Remedy}".Replace(root, "ROOT", StringComparison.Ordinal)).ToList();

    /// <summary>Equal lists of lines, or a message naming the lines only one side has.</summary>
    internal static void SameLines(List<string> expected, List<string> actual, string what)
    {
        var gone = expected.Except(actual).ToList();
        var added = actual.Except(expected).ToList();
        Assert.True(gone.Count == 0 && added.Count == 0 && expected.SequenceEqual(actual),
            $"{what} differs on the snapshot.\nOnly on the host:\n  {string.Join("\n  ", gone)}\nOnly on the snapshot:\n  {string.Join("\n  ", added)}");
    }

    [Fact]
    public void A_snapshot_of_a_copied_tree_skips_the_libvirt_checks_as_the_tree_does()
    {
        // On a copied tree Libvirt.Reachable is Skipped, as nothing was ever there to reach; on the tree's
        // snapshot it is Skipped too, not a Fail asking to start libvirtd.
        using var tree = SnapshotTrees.Make("i350-4port");
        using var directory = HostTree.Empty();
        string path = Path.Combine(directory.Root, "snapshot");
        SnapshotTrees.Save(tree.Root, path);

        var onTree = Assert.Single(HostReading.Read(HostContext.FromRoot(tree.Root)).Checks, c => c.Id == "Libvirt.Reachable");
        var onSnapshot = Assert.Single(HostReading.Read(HostContext.FromRoot(path)).Checks, c => c.Id == "Libvirt.Reachable");

        Assert.Equal(SriovCheckStatus.Skipped, onTree.Status);
        Assert.Equal(onTree.Status, onSnapshot.Status);
    }

    [Fact]
    public void A_snapshot_of_a_tree_without_sys_module_judges_the_loaded_modules_as_the_tree_does()
    {
        // A snapshot holds /sys/module only when the host has it, so on a tree without it Vfio.Loaded is
        // Skipped ("only the live host has /sys/module") on the snapshot as on the tree, with no warning
        // that vfio, vfio_iommu_type1 and vfio_pci are not loaded.
        using var tree = SnapshotTrees.Make("i350-4port");
        using var directory = HostTree.Empty();
        string path = Path.Combine(directory.Root, "snapshot");
        SnapshotTrees.Save(tree.Root, path);
        Assert.False(Directory.Exists(tree.PathOf("/sys/module")));

        var onTree = Assert.Single(HostReading.Read(HostContext.FromRoot(tree.Root)).Checks, c => c.Id == "Vfio.Loaded");
        var snapshot = HostContext.FromRoot(path);
        var onSnapshot = Assert.Single(HostReading.Read(snapshot).Checks, c => c.Id == "Vfio.Loaded");

        Assert.Equal(SriovCheckStatus.Skipped, onTree.Status);
        Assert.Equal(onTree.Status, onSnapshot.Status);
        Assert.False(snapshot.Files.Exists("/sys/module"), "the snapshot has a /sys/module the host did not have");
    }

    [Fact]
    public void Host_wide_checks_on_the_snapshot_of_an_unnamed_host_name_the_snapshot_not_the_cache()
    {
        // A host without /etc/hostname is named by its root in host-wide checks; on a snapshot that name is
        // the snapshot's path, not the cache entry it is unpacked to ($XDG_CACHE_HOME/sriovps/snapshots/HASH/root).
        using var tree = SnapshotTrees.Make("i350-4port");
        using var directory = HostTree.Empty();
        string path = Path.Combine(directory.Root, "snapshot");
        SnapshotTrees.Save(tree.Root, path);
        var snapshot = HostContext.FromRoot(path);

        var iommu = Assert.Single(HostReading.Read(snapshot).Checks, c => c.Id == "Iommu.Enabled");

        Assert.DoesNotContain(SnapshotStore.CacheRoot(), iommu.Target, StringComparison.Ordinal);
        Assert.Equal(snapshot.Location, iommu.Target);
    }

    /// <summary>
    /// Whether the allow-list leaves <paramref name="path"/> out for what it says (a udev rule that mentions
    /// neither SR-IOV nor vfio): the readers read it and find nothing, so it is reduced to nothing.
    /// </summary>
    private static bool LeftOutByContent(HostFileSystem host, string path) =>
        SnapshotFileRules.Rules.Any(r => r.Contains is { } words && path.StartsWith(r.Path + "/", StringComparison.Ordinal)
            && HostText.Read(host, path) is { } text && !words.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Every host path the readers ask the tree's file system about.</summary>
    private static HashSet<string> AskedPaths(HostTree tree)
    {
        var host = HostContext.FromRoot(tree.Root);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        host.Files.PathObserver = path =>
        {
            lock (asked)
            {
                asked.Add(path);
            }
        };
        HostReading.Read(host);
        host.Files.PathObserver = null;
        return asked;
    }
}
