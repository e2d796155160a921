using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Persistence;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>
/// Which PFs a driver or device-id match takes, a count of 0 asked about, persisted drivers against
/// autoprobe, priorities and service tags on VFs the count step creates, and one rules file shared by
/// several persisted PFs, on copied trees.
/// </summary>
public sealed class ConfigurationMatchingRulesTests
{
    private const string Onboard = "/sys/devices/pci0000:00/0000:00:1c.0/0000:05:00.0";

    /// <summary>An onboard I210 (igb 8086:1533) with its interface eno1 and no SR-IOV capability.</summary>
    private static void AddOnboardI210(HostTree tree)
    {
        tree.WriteFile(Onboard + "/vendor", "0x8086\n");
        tree.WriteFile(Onboard + "/device", "0x1533\n");
        tree.WriteFile(Onboard + "/class", "0x020000\n");
        tree.WriteFile(Onboard + "/subsystem_vendor", "0x103c\n");
        tree.WriteFile(Onboard + "/subsystem_device", "0x0000\n");
        tree.WriteFile(Onboard + "/numa_node", "0\n");
        tree.WriteFile(Onboard + "/net/eno1/address", "9c:dc:71:00:00:01\n");
        tree.WriteFile(Onboard + "/net/eno1/mtu", "1500\n");
        tree.WriteFile(Onboard + "/net/eno1/operstate", "up\n");
        tree.WriteFile(Onboard + "/net/eno1/ifindex", "9\n");
        tree.WriteFile(Onboard + "/net/eno1/type", "1\n");
        File.CreateSymbolicLink(tree.PathOf(Onboard + "/driver"), "../../../../bus/pci/drivers/igb");
        File.CreateSymbolicLink(tree.PathOf(Onboard + "/subsystem"), "../../../../bus/pci");
        File.CreateSymbolicLink(tree.PathOf("/sys/bus/pci/devices/0000:05:00.0"), "../../../devices/pci0000:00/0000:00:1c.0/0000:05:00.0");
        File.CreateSymbolicLink(tree.PathOf("/sys/bus/pci/drivers/igb/0000:05:00.0"), "../../../../devices/pci0000:00/0000:00:1c.0/0000:05:00.0");
        File.CreateSymbolicLink(tree.PathOf("/sys/class/net/eno1"), "../../devices/pci0000:00/0000:00:1c.0/0000:05:00.0/net/eno1");
    }

    private static (SriovConfiguration Configuration, DesiredHost Desired, ChangePlan Plan) Plan(ConfiguredHost host, string json)
    {
        var configuration = new SriovConfiguration(host.Session);
        var problems = new List<SriovException>();
        var desired = configuration.Resolve(json, problems);
        Assert.Empty(problems.Select(p => p.Message));
        var refusals = new List<SriovException>();
        var plan = configuration.Plan(desired!, force: false, rollBack: true, refusals);
        Assert.Empty(refusals.Select(r => r.Message));
        return (configuration, desired!, plan!);
    }

    [Theory]
    [InlineData("""{"driver":"igb"}""")]
    [InlineData("""{"deviceId":"8086:1533"}""")]
    public void ADriverOrDeviceIdMatch_LeavesOutAFunctionWithoutSriov(string match)
    {
        using var host = new ConfiguredHost("i350-4port", AddOnboardI210);
        Assert.Contains(host.Session.AllPfs(includeNotCapable: true), p => p.Name == "eno1");

        var (desired, problems) = host.Resolve("""{"pfs":[{"match":""" + match + """}]}""");

        Assert.DoesNotContain("eno1", desired.Pfs.Select(p => p.Label));
        if (match.Contains("1533"))
        {
            // The only function with that id cannot have VFs: the entry matches nothing.
            Assert.Equal((ErrorCatalog.ConfigurationNotMatched, "pfs[0].match"), (Assert.Single(problems).Id, problems[0].Target));
        }
        else
        {
            Assert.Empty(problems);
            Assert.Equal(["eno49", "eno50", "eno51", "eno52"], desired.Pfs.Select(p => p.Label));
        }
    }

    [Theory]
    [InlineData("""{"name":"eno1"}""")]
    [InlineData("""{"pciAddress":"0000:05:00.0"}""")]
    public void ANameOrAddressMatch_TakesTheFunction_ButACountOnItIsRefused(string match)
    {
        using var host = new ConfiguredHost("i350-4port", AddOnboardI210);

        Assert.Equal(["eno1"], host.Desired("""{"pfs":[{"match":""" + match + ""","mtu":1500}]}""").Pfs.Select(p => p.Label));

        var (_, problems) = host.Resolve("""{"pfs":[{"match":""" + match + ""","numVfs":2}]}""");
        var problem = Documents.AtPath(Assert.Single(problems), "pfs[0].numVfs");
        Assert.Equal("pfs[0].numVfs: eno1 (igb 8086:1533, 0000:05:00.0) cannot have VFs: it is not SR-IOV capable (sriov_totalvfs is missing or 0).", problem.Message);
    }

    [Fact]
    public void ACountOfZero_OnAPfWithVfs_AsksOnceMore_UnlessForced()
    {
        using var host = new ConfiguredHost("i350-4port");
        const string json = """{"pfs":[{"match":{"name":"eno49"},"numVfs":0}]}""";

        var count = host.Plan(json).Plan.Steps.Single();
        Assert.Equal("eno49 has 7 VFs: all of them are destroyed (their interfaces go away, and their MACs, VLANs and other settings with them). Continue?", count.Question);
        Assert.Null(host.Plan(json, force: true).Plan.Steps.Single().Question);
    }

    [Theory]
    [InlineData("""{"driversAutoprobe":true,"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}""", true)]
    [InlineData("""{"driversAutoprobe":false,"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}""", false)]
    [InlineData("""{"driversAutoprobe":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}""", false)]
    [InlineData("""{"driversAutoprobe":true,"persist":true,"vfs":[{"index":0,"driver":"default"}]}""", false)]
    [InlineData("""{"driversAutoprobe":true,"persist":true,"numVfs":7,"vfs":[{"index":0,"vlan":5}]}""", false)]
    public void AutoprobeTrue_WithPersistedDrivers_IsOneErrorAtDriversAutoprobe(string settings, bool refused)
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno49"},""" + settings[1..] + "]}");

        if (refused)
        {
            var problem = Documents.AtPath(Assert.Single(problems), "pfs[0].driversAutoprobe");
            Assert.Contains("sriov_drivers_autoprobe is held at 0", problem.Message);
        }
        else
        {
            Assert.Empty(problems.Select(p => p.Message));
        }
    }

    [Theory]
    [InlineData("""{"numVfs":4,"vfs":[{"index":1,"qos":3}]}""", "pfs[0].vfs[0].qos")]
    [InlineData("""{"numVfs":4,"vfs":[{"index":1,"vlanProtocol":"802.1ad"}]}""", "pfs[0].vfs[0].vlanProtocol")]
    [InlineData("""{"numVfs":7,"vfs":[{"index":0,"vlan":4},{"index":"1-2","qos":1}]}""", null)]
    [InlineData("""{"vfs":[{"index":6,"qos":3}]}""", null)]
    [InlineData("""{"vfs":[{"index":"0-6","vlanProtocol":"802.1ad"}]}""", null)]
    [InlineData("""{"numVfs":4,"vfs":[{"index":1,"vlan":7,"qos":3,"vlanProtocol":"802.1ad"}]}""", null)]
    public void APriorityOrServiceTagWithoutVlan_IsRefusedOnlyOnVfsTheCountStepCreates(string settings, string? path)
    {
        using var host = new ConfiguredHost("i350-4port");

        var (_, problems) = host.Resolve("""{"pfs":[{"match":{"name":"eno49"},""" + settings[1..] + "]}");

        if (path is null)
        {
            // The tree cannot tell an existing VF's VLAN: the kernel judges the request when it is sent.
            Assert.Empty(problems.Select(p => p.Message));
        }
        else
        {
            var problem = Documents.AtPath(Assert.Single(problems), path);
            Assert.Contains("created untagged", problem.Message);
        }
    }

    [Fact]
    public void SeveralPersistedPfs_ShareTheRulesFile_AndASecondRunWritesNothing()
    {
        using var host = new ConfiguredHost("i350-4port");
        const string json = """{"pfs":[{"match":{"driver":"igb"},"numVfs":7,"persist":true}]}""";
        var (configuration, desired, plan) = Plan(host, json);
        Assert.Equal(4, plan.Steps.Count(s => s.Target == UdevRulesFile.HostPath));

        var result = PlanRunner.Run(plan, new ScriptedAsker(), host.Session);

        Assert.Equal(4, result.Made.Count);
        string rules = File.ReadAllText(host.Tree.PathOf(UdevRulesFile.HostPath));
        foreach (string address in new[] { "0000:04:00.0", "0000:04:00.1", "0000:04:00.2", "0000:04:00.3" })
        {
            Assert.Contains($"KERNELS==\"{address}\", ATTR{{device/sriov_numvfs}}=\"7\"", rules);
        }

        Assert.DoesNotContain(configuration.Test(desired), d => d.Property == "PersistedNumVfs");
        host.Session.ForgetPfs();
        Assert.Empty(Plan(host, json).Plan.Steps.Select(s => s.Target));
        Assert.Equal(rules, File.ReadAllText(host.Tree.PathOf(UdevRulesFile.HostPath)));
    }

    [Fact]
    public void PersistedDrivers_ForTwoPfs_OnACopiedTree_WriteBothCountLines_AndRefuseTheDriverLinesWithTheirBindings()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (_, _, plan) = Plan(host, """
            {"pfs":[{"match":{"name":"eno49"},"numVfs":7,"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]},
                    {"match":{"name":"eno50"},"numVfs":7,"persist":true,"vfs":[{"index":1,"driver":"vfio-pci"}]}]}
            """);
        var asker = new ScriptedAsker();

        PlanRunner.Run(plan, asker, host.Session);

        // The drivers' lines follow their bindings, which only a kernel makes; the count lines are the tree's own.
        string rules = File.ReadAllText(host.Tree.PathOf(UdevRulesFile.HostPath));
        Assert.Contains("KERNELS==\"0000:04:00.0\", ATTR{device/sriov_numvfs}=\"7\"", rules);
        Assert.Contains("KERNELS==\"0000:04:00.1\", ATTR{device/sriov_numvfs}=\"7\"", rules);
        Assert.DoesNotContain("vfio-pci", rules);
        var refusal = Assert.Single(asker.Told.Failures);
        Assert.Equal(ErrorCatalog.LiveHostRequired, refusal.Id);
        Assert.Contains("4 step(s) were not made", refusal.Message);
        Assert.Contains("/etc/udev/rules.d/70-sriovps.rules: give eno49's VFs their drivers at boot", refusal.Message);
        Assert.Contains("/etc/udev/rules.d/70-sriovps.rules: give eno50's VFs their drivers at boot", refusal.Message);
    }

    /// <summary>The refusal on a copied tree names the files written there, the rules file among them.</summary>
    [Fact]
    public void TheRefusalOnACopiedTree_NamesTheRulesFile_WhenItsCountLineWasWritten()
    {
        using var host = new ConfiguredHost("i350-4port");
        var (_, _, plan) = Plan(host, """{"pfs":[{"match":{"name":"eno49"},"numVfs":7,"persist":true,"mtu":9000}]}""");
        var asker = new ScriptedAsker();

        PlanRunner.Run(plan, asker, host.Session);

        Assert.Contains("KERNELS==\"0000:04:00.0\"", File.ReadAllText(host.Tree.PathOf(UdevRulesFile.HostPath)));
        Assert.EndsWith(" Written in the tree: /etc/udev/rules.d/70-sriovps.rules.", Assert.Single(asker.Told.Failures).Message);
    }
}
