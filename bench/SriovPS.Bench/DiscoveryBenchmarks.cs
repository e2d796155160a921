using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using SriovPS.Discovery;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;

namespace SriovPS.Bench;

/// <summary>
/// Discovery over a synthetic host of 8 PFs × 128 VFs laid out like sysfs in tmpfs, beside the
/// floor: the same facts read with the bare system calls. Target: the core within 1.5× the floor
/// and under 4 MiB allocated. pci.ids is left out: it is read once per session, not per command.
/// </summary>
[MemoryDiagnoser]
public class DiscoveryBenchmarks
{
    public const int PfCount = 8;
    public const int VfsPerPf = 128;

    private string _root = "";
    private HostFileSystem? _files;

    [GlobalSetup]
    public void Setup()
    {
        // tmpfs, as sysfs is memory-backed; fall back to the temp directory where /dev/shm is missing.
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _root = SyntheticHost.Create(parent, PfCount, VfsPerPf);
        _files = new HostFileSystem(_root);
        int found = PfsAndVfs();
        if (found != PfCount * VfsPerPf || DiscoveryFloor.Run(_root, withVfs: true) != found)
        {
            throw new InvalidOperationException($"The synthetic host should show {PfCount * VfsPerPf} VFs; discovery found {found}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>One pass of the core or the floor, bracketed by markers a syscall trace can find.</summary>
    public static int RunOnce(string mode)
    {
        var benchmarks = new DiscoveryBenchmarks();
        benchmarks.Setup();
        try
        {
            Console.Error.WriteLine("SRIOVPS-PASS-START");
            int found = mode switch
            {
                "core" => benchmarks.PfsAndVfs(),
                "floor" => benchmarks.PfsAndVfsFloor(),
                _ => 0,
            };
            Console.Error.WriteLine("SRIOVPS-PASS-END");
            Console.WriteLine($"{mode}: {found} VFs");
            return 0;
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    [Benchmark(Description = "Get-SriovPf: core")]
    public int Pfs() => new SriovDiscovery(_files!).GetPfs().Count;

    [Benchmark(Description = "Get-SriovPf: floor")]
    public int PfsFloor() => DiscoveryFloor.Run(_root, withVfs: false);

    [Benchmark(Description = "Get-SriovPf | Get-SriovVf: core")]
    public int PfsAndVfs()
    {
        var discovery = new SriovDiscovery(_files!);
        int count = 0;
        foreach (var pf in discovery.GetPfs())
        {
            count += discovery.GetVfs(pf).Count;
        }

        return count;
    }

    [Benchmark(Baseline = true, Description = "Get-SriovPf | Get-SriovVf: floor")]
    public int PfsAndVfsFloor() => DiscoveryFloor.Run(_root, withVfs: true);
}
