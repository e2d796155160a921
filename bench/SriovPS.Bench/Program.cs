using System;
using System.Linq;
using BenchmarkDotNet.Running;
using SriovPS.Bench;

// dotnet run -c Release --project bench/SriovPS.Bench -- --filter '*'
// dotnet run -c Release --project bench/SriovPS.Bench -- --once core|floor|none
//   one discovery pass over a fresh synthetic host, for counting its system calls with strace -c.
if (args is ["--once", var mode])
{
    return DiscoveryBenchmarks.RunOnce(mode);
}

// In-process by default: the out-of-process toolchain generates a project that rebuilds the whole
// module layout for every run, which is slow and measures nothing more.
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(DiscoveryBenchmarks).Assembly).Run(arguments);
return 0;
