using System.IO;
using System.Linq;
using SriovPS.Hosting;
using SriovPS.Readiness;
using SriovPS.Tests.Snapshot;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>
/// Test-SriovHost -For on the lab's snapshot: eth0 has VF 2 on vfio-pci and no MAC set for VFs 2 and 3,
/// eth1 VFs 0 and 1 on vfio-pci; the snapshot keeps the VF MACs the kernel reported and /dev/vfio.
/// </summary>
[Collection(SnapshotHostCollection.Name)]
public sealed class ConsumerSnapshotTests
{
    private static readonly string LabGuest = Path.Combine(Repository.Root, "tests", "fixtures", "snapshots", "lab-guest");

    [Fact]
    public void Docker_judges_the_vf_macs_the_snapshot_holds()
    {
        var checks = Checks(SriovConsumer.Docker, out var run);
        Assert.Null(run.Libvirt);
        var eth0 = One(checks, "Vf.MacSet", "eth0");
        Assert.Equal(SriovCheckStatus.Fail, eth0.Status);
        Assert.StartsWith("eth0 sets no MAC for 2 of its 4 VFs (vf 2 00:00:00:00:00:00, vf 3 00:00:00:00:00:00)", eth0.Finding);
        // VFs 0 and 1 have their MACs, but their igbvf interfaces kept the ones their driver made up.
        Assert.Contains("The interfaces of 2 VFs of eth0 do not carry the MAC the PF sets (vf 0 eth3 carries 76:aa:b3:1d:dd:75, the PF sets 02:53:4e:00:00:10, vf 1 eth4 carries 26:01:f0:a1:9e:9d, the PF sets 02:53:4e:00:00:11)", eth0.Finding, System.StringComparison.Ordinal);
        Assert.Equal("Set-SriovVf -PfName eth0 -Index 2,3 -MacAddress Auto -Persist -Rebind; Set-SriovVf -PfName eth0 -Index 0,1 -Rebind", eth0.Remedy);
        Assert.Equal(SriovCheckStatus.Fail, One(checks, "Vf.MacSet", "eth1").Status);
        Assert.Equal(SriovCheckStatus.Skipped, One(checks, "Vf.MacSet", "eth2").Status);
        Assert.Equal("Set-SriovVfDriver -PfName eth1 -Index 0,1 -Driver Default -Persist", One(checks, "Vf.KernelDriver", "eth1").Remedy);
    }

    [Fact]
    public void Kata_finds_the_vfio_group_nodes_the_snapshot_kept_and_reads_no_libvirt()
    {
        var checks = Checks(SriovConsumer.Kata, out var run);
        Assert.Null(run.Libvirt);
        Assert.DoesNotContain(checks, c => c.Id.StartsWith("Libvirt.", System.StringComparison.Ordinal) || c.Id.StartsWith("Guest.", System.StringComparison.Ordinal));
        Assert.Equal("The VF of eth0 on vfio-pci has its group's node (/dev/vfio/11).", One(checks, "Vf.VfioDevice", "eth0").Finding);
        Assert.Equal("Each of the 2 VFs of eth1 on vfio-pci has its group's node (/dev/vfio/13, /dev/vfio/14).", One(checks, "Vf.VfioDevice", "eth1").Finding);
        Assert.Equal("Set-SriovVfDriver -PfName eth0 -Index 0,1,3 -Driver vfio-pci -Persist", One(checks, "Vf.VfioDriver", "eth0").Remedy);
    }

    private static System.Collections.Generic.List<SriovHostCheck> Checks(SriovConsumer consumer, out HostCheckRun run)
    {
        using var session = new HostSession(HostContext.FromRoot(LabGuest), new CallbackReport());
        run = new HostCheckRun(session, "qemu:///system", consumer);
        return run.Run(null, null);
    }
}
