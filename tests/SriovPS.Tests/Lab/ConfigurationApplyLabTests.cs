using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SriovPS.Configuration;
using SriovPS.Kernel;
using SriovPS.Tests.Support;
using SriovPS.VfSettings;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Set-SriovConfiguration's VF step on netdevsim with 128 VFs (a MAC, a VLAN and trust for every VF),
/// side by side with the seeds' way, a shell loop running <c>ip link set PF vf N …</c> once per VF; then
/// the same document again, which sends nothing. netdevsim's PF is not a PCI function, so the step is
/// given its VFs through the same netlink read the cmdlet makes for a PCI PF. The figures are written to
/// the lab's output (config-apply-bench.txt).
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class ConfigurationApplyLabTests
{
    private const int Vfs = 128;
    private const int Rounds = 3;

    [SkippableFact]
    public void Netdevsim128Vfs_ConfigurationStep_IsAtLeastTwentyTimesFasterThanAnIpLoop_AndANoChangeApplySendsNothing()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var nsim = new NetdevsimLab(28, Vfs);
        using var links = new KernelLinks(CallbackReport.Throwing);
        var wanted = Desired(vlan: 10, trust: true, mac: i => string.Create(CultureInfo.InvariantCulture, $"02:53:52:28:{i >> 8:x2}:{i & 0xff:x2}"));
        var cleared = Desired(vlan: 0, trust: false, mac: i => string.Create(CultureInfo.InvariantCulture, $"02:53:52:99:{i >> 8:x2}:{i & 0xff:x2}"));

        // Warm: the module's code is compiled once per process, as in a long pwsh session.
        Apply(links, nsim.Name, cleared);

        var loop = new List<double>();
        var step = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            Apply(links, nsim.Name, cleared);
            loop.Add(Time(() => IpLoop(nsim.Name, wanted)));
            AssertKernelHas(nsim.Name, wanted);

            Apply(links, nsim.Name, cleared);
            int changed = 0;
            step.Add(Time(() => changed = Apply(links, nsim.Name, wanted)));
            Assert.Equal(Vfs, changed);
            AssertKernelHas(nsim.Name, wanted);
        }

        int requestsBefore = links.Requests;
        int again = -1;
        double noChange = Time(() => again = Apply(links, nsim.Name, wanted));
        Assert.Equal(0, again);
        Assert.Equal(1, links.Requests - requestsBefore);

        double loopMedian = Median(loop), stepMedian = Median(step);
        Report(loopMedian, stepMedian, noChange, loop, step);
        Assert.True(
            loopMedian >= 20 * stepMedian,
            $"The configuration step took {stepMedian:F1} ms for {Vfs} VFs, the ip loop {loopMedian:F1} ms: {loopMedian / stepMedian:F1}×, not 20×.");
    }

    /// <summary>The step as Set-SriovConfiguration makes it: the VFs read once, what differs sent, then read again to verify.</summary>
    private static int Apply(KernelLinks links, string pf, List<DesiredVf> vfs)
    {
        Dictionary<int, SriovVf> Read() => links.ReadWithVfs(pf, statistics: false)!.Vfs
            .Select(vf => KernelLinkMapping.CreateVf(pf, pf, pf, vf.Index, vf))
            .ToDictionary(vf => vf.Index);

        int changed = new VfSettingsBatch(links, pf, "netdevsim", Read, vfs).Apply(PlanDriver.Context());
        if (changed > 0)
        {
            var now = Read();
            Assert.All(vfs, want => Assert.Empty(VfSettingsPlan.For(want.Settings, now[want.Index]).Changes));
        }

        return changed;
    }

    private static List<DesiredVf> Desired(int vlan, bool trust, Func<int, string> mac) =>
        Enumerable.Range(0, Vfs).Select(i =>
        {
            var entry = new VfEntry($"pfs[0].vfs[{i}]") { MacAddress = mac(i), Vlan = vlan, Trust = trust };
            entry.Indexes.Add(i);
            return new DesiredVf(i, entry, mac(i), null, VfSettingsRequest.Create(macAddress: mac(i), vlan: vlan, trust: trust));
        }).ToList();

    /// <summary>The seeds' way: one ip process per VF, from a shell loop.</summary>
    private static void IpLoop(string pf, List<DesiredVf> vfs)
    {
        var script = new StringBuilder();
        foreach (var vf in vfs)
        {
            script.Append(CultureInfo.InvariantCulture, $"ip link set {pf} vf {vf.Index} mac {vf.Mac} vlan {vf.Entry.Vlan} trust {(vf.Entry.Trust == true ? "on" : "off")} || exit 1\n");
        }

        ExternalProgram.Run("bash", "-c", script.ToString());
    }

    private static void AssertKernelHas(string pf, List<DesiredVf> vfs)
    {
        var reported = VfSettingsLabTests.IpDetails(pf).GetProperty("vfinfo_list").EnumerateArray().ToDictionary(v => v.GetProperty("vf").GetInt32());
        foreach (var vf in vfs)
        {
            var ip = reported[vf.Index];
            Assert.Equal(vf.Mac, ip.GetProperty("address").GetString());
            Assert.Equal(vf.Entry.Vlan, ip.TryGetProperty("vlan_list", out var tags) ? tags[0].GetProperty("vlan").GetInt32() : 0);
            Assert.Equal(vf.Entry.Trust, ip.GetProperty("trust").GetBoolean());
        }
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static void Report(double loop, double step, double noChange, List<double> loops, List<double> steps)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"""
            netdevsim, {Vfs} VFs, MAC + VLAN + trust on every VF, median of {Rounds} rounds run alternately
            ip loop (one ip process per VF):         {loop,9:F1} ms   ({string.Join(", ", loops.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))})
            configuration step (read, send, verify): {step,9:F1} ms   ({string.Join(", ", steps.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))})
            speed-up:                                {loop / step,9:F1} x
            second apply, nothing to change:         {noChange,9:F1} ms   (one netlink read, nothing sent)

            """);
        Console.Out.Write(text);
        if (Directory.Exists("/lab-out"))
        {
            File.WriteAllText("/lab-out/config-apply-bench.txt", text);
        }
    }
}
