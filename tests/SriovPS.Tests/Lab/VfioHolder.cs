using System;
using System.Diagnostics;
using System.IO;
using SriovPS.Tests.Support;

namespace SriovPS.Tests.Lab;

/// <summary>
/// tests/lab/guest/vfio-hold.py holding a VF through vfio in the lab: its IOMMU group ("group"), or
/// only a device descriptor obtained the way QEMU does ("device"), until disposed.
/// </summary>
internal sealed class VfioHolder : IDisposable
{
    private readonly Process _process;

    private VfioHolder(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static VfioHolder Start(string mode, string group, string address)
    {
        string script = Path.Combine(Repository.Root, "tests", "lab", "guest", "vfio-hold.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, mode, group, address])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        string? ready = process.StandardOutput.ReadLine();
        if (ready != "ready")
        {
            process.WaitForExit(5000);
            throw new InvalidOperationException($"vfio-hold.py {mode} did not hold {address}: {process.StandardError.ReadToEnd()}");
        }

        return new VfioHolder(process);
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
