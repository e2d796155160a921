using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using SriovPS.Configuration;
using SriovPS.Hosting;
using SriovPS.Tests.Support;

namespace SriovPS.Bench;

/// <summary>
/// Set-SriovConfiguration's work before anything is asked, on the synthetic host of 8 PFs × 128 VFs: a
/// fleet document (PFs matched by driver, every VF given an "auto" MAC, a VLAN and trust) read, laid over
/// the host and planned. On a copied tree the VF settings are described rather than read, so this is the
/// planner's own cost; the kernel side is measured in the lab (ConfigurationApplyLabTests).
/// </summary>
[MemoryDiagnoser]
public class ConfigurationBenchmarks
{
    private const string Document = """
        { "pfs": [ { "match": { "driver": "igb", "deviceId": "8086:1521" }, "numVfs": 128, "mtu": 9000,
                     "vfs": [ { "index": "0-127", "mac": "auto", "vlan": 10, "trust": true } ] } ] }
        """;

    private string _root = "";

    [GlobalSetup]
    public void Setup()
    {
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _root = SyntheticHost.Create(parent, DiscoveryBenchmarks.PfCount, DiscoveryBenchmarks.VfsPerPf);
        int steps = ReadResolvePlan();
        if (steps != DiscoveryBenchmarks.PfCount * 2)
        {
            throw new InvalidOperationException($"The plan should have a VF step and a link step per PF, not {steps} steps.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public int ReadResolvePlan()
    {
        var report = new HostReport();
        using var session = new HostSession(HostContext.FromRoot(_root), report);
        var configuration = new SriovConfiguration(session);
        var problems = new System.Collections.Generic.List<Errors.SriovException>();
        var desired = configuration.Resolve(Document, problems) ?? throw problems[0];
        var refusals = new System.Collections.Generic.List<Errors.SriovException>();
        var plan = configuration.Plan(desired, force: false, rollBack: true, refusals) ?? throw refusals[0];
        return plan.Steps.Count;
    }
}
