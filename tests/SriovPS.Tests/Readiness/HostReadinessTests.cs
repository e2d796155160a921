using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Readiness;
using SriovPS.Tests.Libvirt;
using SriovPS.Tests.Support;
using Xunit;
using static SriovPS.Tests.Readiness.Readiness;

namespace SriovPS.Tests.Readiness;

/// <summary>A whole readiness run: the order of the results, narrowing by PF and network, libvirt that does not answer.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class HostReadinessTests
{
    private static readonly string[] HostWide =
        ["Iommu.Enabled", "Iommu.Passthrough", "Iommu.InterruptRemapping", "Vfio.Loaded", "Vfio.LoadAtBoot", "Libvirt.Reachable", "Libvirt.DynamicOwnership", "Libvirt.AppArmorVfio"];

    private static readonly string[] PerPf =
        ["Pf.SriovCapable", "Pf.Driver", "Pf.VfsEnabled", "Pf.VfCountPersisted", "Pf.LinkUp", "Pf.VfIsolation", "Pf.BarSpace"];

    [Fact]
    public void Failures_come_first_then_warnings_passes_and_skipped_checks()
    {
        using var tree = HostTree.FromFixture("iommu-off");
        var checks = Run(tree);
        var statuses = Statuses(checks);
        Assert.Equal(statuses.OrderBy(s => s switch { SriovCheckStatus.Fail => 0, SriovCheckStatus.Warning => 1, SriovCheckStatus.Pass => 2, _ => 3 }), statuses);
        Assert.Contains(SriovCheckStatus.Fail, statuses);
        Assert.Contains(SriovCheckStatus.Warning, statuses);
        Assert.Contains(SriovCheckStatus.Pass, statuses);
        Assert.Contains(SriovCheckStatus.Skipped, statuses);
        Assert.All(checks, c => Assert.Equal(c.Status is SriovCheckStatus.Warning or SriovCheckStatus.Fail, c.Remedy is not null));
    }

    [Fact]
    public void Every_check_runs_once_per_host_and_once_per_pf()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var checks = Run(tree);
        foreach (var id in HostWide)
        {
            One(checks, id);
        }

        foreach (var pf in new[] { "eno49", "eno50", "eno51", "eno52" })
        {
            Assert.Equal(PerPf.Order(), checks.Where(c => c.Target == pf).Select(c => c.Id).Order());
        }

        Assert.DoesNotContain(checks, c => string.IsNullOrEmpty(c.Finding) || string.IsNullOrEmpty(c.Target));
        Assert.Equal(HostWide.Length + (4 * PerPf.Length), checks.Count);
    }

    [Fact]
    public void Pf_name_narrows_the_pf_checks_and_keeps_the_host_wide_ones()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var checks = Run(tree, pfNames: ["eno50"]);
        Assert.All(checks.Where(c => c.Id.StartsWith("Pf.")), c => Assert.Equal("eno50", c.Target));
        Assert.Equal(PerPf.Length, checks.Count(c => c.Id.StartsWith("Pf.")));
        Assert.Equal(HostWide.Length, checks.Count(c => !c.Id.StartsWith("Pf.")));
    }

    [Fact]
    public void Network_narrows_to_its_pool_its_pfs_and_the_guests_on_it()
    {
        using var tree = HostTree.FromFixture("i350-4port");
        var pools = new[]
        {
            PoolCheckTests.PfPool("eno49-sr-iov", "eno49", true, []),
            PoolCheckTests.PfPool("eno50-sr-iov", "eno50", false, []),
        };
        var guests = new[]
        {
            PoolCheckTests.Guest("on-49", 1, live: 1),
            PoolCheckTests.Guest("on-50", 1, live: 1, network: "eno50-sr-iov"),
        };
        var facts = LibvirtFacts.FromInventory("qemu:///system", LibvirtInventory.FromStates(pools, guests, []), PoolCheckTests.PfVfs(tree));

        var checks = Run(tree, facts, networks: ["eno50-sr-iov"]);
        Assert.Equal("eno50-sr-iov", One(checks, "Pool.State").Target);
        Assert.All(checks.Where(c => c.Id.StartsWith("Pf.")), c => Assert.Equal("eno50", c.Target));
        Assert.Equal(SriovCheckStatus.Pass, One(checks, "Libvirt.Reachable").Status);

        var byPf = Run(tree, facts, pfNames: ["eno49"]);
        Assert.Equal("eno49-sr-iov", One(byPf, "Pool.State").Target);

        var all = Run(tree, facts);
        Assert.Equal(2, all.Count(c => c.Id == "Pool.State"));
    }

    [SkippableFact]
    public void Libvirt_that_does_not_answer_fails_with_the_connection_error_and_its_remedy()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        using var tree = HostTree.FromFixture("i350-4port");
        const string uri = "qemu+unix:///system?socket=/nonexistent/libvirt-sock";
        var facts = LibvirtFacts.Read(uri, PoolCheckTests.PfVfs(tree));
        var check = One(Run(tree, facts, uri: uri), "Libvirt.Reachable");
        Assert.Equal(SriovCheckStatus.Fail, check.Status);
        Assert.Equal(uri, check.Target);
        Assert.Contains("/nonexistent/libvirt-sock", check.Finding);
        Assert.StartsWith("Start libvirtd", check.Remedy);
        Assert.DoesNotContain(Run(tree, facts, uri: uri), c => c.Id is "Pool.State" or "Guest.PciSlots");
    }

    [SkippableFact]
    public void Libvirt_that_answers_is_read_in_one_pass()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        using var tree = HostTree.FromFixture("i350-4port");
        var facts = LibvirtFacts.Read(LibvirtCollection.TestUri, PoolCheckTests.PfVfs(tree));
        Assert.Null(facts.Failure);
        var check = One(Run(tree, facts, uri: LibvirtCollection.TestUri), "Libvirt.Reachable");
        Assert.Equal(SriovCheckStatus.Pass, check.Status);
        Assert.StartsWith("libvirt answered at test:///default: ", check.Finding);
    }
}
