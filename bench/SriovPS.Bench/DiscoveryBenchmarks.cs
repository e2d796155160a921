using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using SriovPS.Build;
using SriovPS.Host;
using SriovPS.Native.Sysfs;

namespace SriovPS.Bench;

/// <summary>Discovery over the seeds' 4-port I350 host tree (4 PFs, 28 VFs), materialized in a temp directory.</summary>
[MemoryDiagnoser]
public class DiscoveryBenchmarks
{
    private string _root = "";
    private HostFileSystem? _files;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("sriovps-bench-").FullName;
        HostTreeManifest.Materialize(Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), "tests", "fixtures", "i350-4port.hosttree"), _root);
        _files = new HostFileSystem(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Description = "Get-SriovPf: 4 PFs")]
    public int Pfs() => new SriovDiscovery(_files!).GetPfs().Count;

    [Benchmark(Description = "Get-SriovPf | Get-SriovVf: 4 PFs, 28 VFs")]
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
}
