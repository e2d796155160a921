using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// The real kernel inside the SR-IOV lab guest (tests/lab/run.sh sets SRIOVPS_LAB=1 there). Reads and
/// writes sysfs directly and asks iproute2, so tests check the module against the kernel's own
/// account of the state, not against the module's.
/// </summary>
internal static class LabHost
{
    public const string Category = "Category";
    public const string Lab = "Lab";
    public const string SkipReason = "runs only inside the SR-IOV lab guest: tests/lab/run.sh";

    public static bool IsActive => Environment.GetEnvironmentVariable("SRIOVPS_LAB") == "1";

    /// <summary>The PCI addresses of the functions bound to a driver, in order.</summary>
    public static List<string> BoundTo(string driver) =>
        Directory.Exists($"/sys/bus/pci/drivers/{driver}")
            ? Directory.GetFileSystemEntries($"/sys/bus/pci/drivers/{driver}")
                .Select(p => Path.GetFileName(p))
                .Where(n => n.Length == 12 && n[4] == ':')
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static string Read(string path) => File.ReadAllText(path).TrimEnd('\n');

    public static string? LinkName(string path) =>
        new FileInfo(path).LinkTarget is { } target ? Path.GetFileName(target) : null;

    public static void Write(string path, string text) => File.WriteAllText(path, text);

    /// <summary>Sets a PF's VF count through sysfs as an admin would (0 first when changing a non-zero count).</summary>
    public static void SetNumVfs(string pf, int count)
    {
        string numVfs = $"/sys/bus/pci/devices/{pf}/sriov_numvfs";
        if (Read(numVfs) != "0" && count != 0)
        {
            Write(numVfs, "0");
        }

        Write(numVfs, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WaitUntil(() => Enumerable.Range(0, count).All(i => Path.Exists($"/sys/bus/pci/devices/{pf}/virtfn{i}"))
                        && !Path.Exists($"/sys/bus/pci/devices/{pf}/virtfn{count}"), $"{count} VFs on {pf}");
    }

    /// <summary>
    /// Enables <paramref name="count"/> VFs on <paramref name="pf"/> and runs <paramref name="configure"/>;
    /// on any failure sets 0 VFs again before rethrowing, since xunit never disposes a fixture whose
    /// constructor failed.
    /// </summary>
    public static void EnableVfsOrUndo(string pf, int count, Action configure)
    {
        try
        {
            SetNumVfs(pf, count);
            configure();
        }
        catch
        {
            SetNumVfs(pf, 0);
            throw;
        }
    }

    /// <summary>Binds a PCI function to a driver the way driverctl does: driver_override, unbind, drivers_probe.</summary>
    public static void Bind(string address, string? driver)
    {
        string device = $"/sys/bus/pci/devices/{address}";
        Write($"{device}/driver_override", driver is null ? "\n" : driver);
        if (Path.Exists($"{device}/driver"))
        {
            Write($"{device}/driver/unbind", address);
        }

        Write("/sys/bus/pci/drivers_probe", address);
        if (driver is not null)
        {
            WaitUntil(() => LinkName($"{device}/driver") == driver, $"{address} bound to {driver}");
        }
    }

    /// <summary>
    /// Unloads the VF driver (igbvf) until disposed, for tests that never look at VF interfaces: without
    /// it each VF is created at once, with it each is probed, which takes seconds under emulation. On
    /// disposal the VFs of <paramref name="pfs"/> are removed first, so reloading the driver probes none.
    /// </summary>
    public static IDisposable WithoutVfDriver(params string[] pfs)
    {
        if (Directory.Exists("/sys/module/igbvf"))
        {
            Run("modprobe", "-r", "igbvf");
        }

        return new VfDriverReload(pfs);
    }

    private sealed class VfDriverReload(string[] pfs) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                foreach (var pf in pfs)
                {
                    SetNumVfs(pf, 0);
                }
            }
            finally
            {
                // Whatever happened, the tests that follow have their VF driver again.
                Run("modprobe", "igbvf");
            }
        }
    }

    public static void WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed.TotalSeconds < seconds, $"timed out after {seconds} s waiting for {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Runs iproute2's ip with an argument list and returns what it printed; fails on an error.</summary>
    public static string Ip(params string[] arguments) => ExternalProgram.Run("ip", arguments);

    /// <summary>Runs a program with an argument list and returns what it printed; fails on an error.</summary>
    public static string Run(string program, params string[] arguments) => ExternalProgram.Run(program, arguments);

    /// <summary>Whether iproute2 shows the interface administratively up (the UP flag).</summary>
    public static bool IsUp(string name) =>
        JsonDocument.Parse(Ip("-j", "link", "show", "dev", name)).RootElement[0].GetProperty("flags")
            .EnumerateArray().Any(flag => flag.GetString() == "UP");

    /// <summary>`ip -j -d link show`: interface name → PCI address of its parent device, for PCI interfaces.</summary>
    public static Dictionary<string, string> InterfacesByPciParent()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in JsonDocument.Parse(Ip("-j", "-d", "link", "show")).RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("parentbus", out var bus) && bus.GetString() == "pci"
                && link.TryGetProperty("parentdev", out var parent))
            {
                result[link.GetProperty("ifname").GetString()!] = parent.GetString()!;
            }
        }

        return result;
    }
}

/// <summary>Lab tests share one kernel: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "SR-IOV lab";
}
