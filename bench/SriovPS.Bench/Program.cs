using System.Linq;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/SriovPS.Bench -- --filter '*'
// In-process by default: the out-of-process toolchain generates a project that rebuilds the whole
// module layout for every run, which is slow and measures nothing more.
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(SriovPS.Bench.DiscoveryBenchmarks).Assembly).Run(arguments);
