using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using SriovPS.Errors;
using SriovPS.Export;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Export;

/// <summary>
/// The NetworkAttachmentDefinitions, operator objects and KubeVirt interfaces, read back with a YAML 1.2
/// parser; names agree with the device plugin's, and the VF settings are the VFs' own.
/// </summary>
public sealed class KubernetesExportTests
{
    private static readonly Dictionary<string, string> Node7 = new() { ["kubernetes.io/hostname"] = "node7" };

    [Fact]
    public void EachNetworkAttachmentDefinition_NamesThePluginsResource_AndSetsVlan()
    {
        using var run = new ExportRun(HostTree.FromFixture("connectx5"));
        var request = new ExportRequest(SriovExportFormat.NetworkAttachmentDefinition) { ResourcePrefix = "nvidia.com", Namespace = "tenant1" };

        var nads = YamlDocuments.Parse(run.Export(request));
        using var plugin = JsonDocument.Parse(run.Export(request with { Format = SriovExportFormat.DevicePlugin }));

        var pluginNames = plugin.RootElement.GetProperty("resourceList").EnumerateArray()
            .Select(r => r.GetProperty("resourcePrefix").GetString() + "/" + r.GetProperty("resourceName").GetString()).ToList();
        Assert.Equal(2, nads.Count);
        Assert.Equal(pluginNames, nads.Select(n => (string?)n!["metadata"]!["annotations"]!["k8s.v1.cni.cncf.io/resourceName"]));
        Assert.All(nads, nad =>
        {
            Assert.Equal("k8s.cni.cncf.io/v1", (string?)nad!["apiVersion"]);
            Assert.Equal("NetworkAttachmentDefinition", (string?)nad["kind"]);
            Assert.Equal("tenant1", (string?)nad["metadata"]!["namespace"]);
            var config = JsonNode.Parse((string)nad["spec"]!["config"]!)!;
            Assert.Equal("sriov", (string?)config["type"]);
            Assert.Equal((string?)nad["metadata"]!["name"], (string?)config["name"]);
            Assert.Equal(0, (int)config["vlan"]!);
        });
        Assert.Equal(["sriov-enp10s0f0np0-netdevice", "sriov-enp10s0f0np0-vfio"], nads.Select(n => (string?)n!["metadata"]!["name"]));
    }

    [Fact]
    public void TheLabCapture_GivesAPolicyPerDriverKind_WithThePfsDeviceId()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var policies = YamlDocuments.Parse(run.Export(new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy) { NodeSelector = Node7 }));

        Assert.Equal(["eth0#1-6", "eth0#0-0"], policies.Select(p => (string?)p!["spec"]!["nicSelector"]!["pfNames"]![0]));
        Assert.Equal(["netdevice", "vfio-pci"], policies.Select(p => (string?)p!["spec"]!["deviceType"]));
        Assert.All(policies, p =>
        {
            var spec = p!["spec"]!;
            Assert.Equal("sriovnetwork.openshift.io/v1", (string?)p["apiVersion"]);
            Assert.Equal("SriovNetworkNodePolicy", (string?)p["kind"]);
            Assert.Equal("sriov-network-operator", (string?)p["metadata"]!["namespace"]);
            Assert.Equal(7, (int)spec["numVfs"]!);
            Assert.Equal("8086", (string?)spec["nicSelector"]!["vendor"]);
            Assert.Equal("10c9", (string?)spec["nicSelector"]!["deviceID"]);
            Assert.Equal("node7", (string?)spec["nodeSelector"]!["kubernetes.io/hostname"]);
            Assert.Equal("eth", (string?)spec["linkType"]);
            Assert.Equal(1500, (int)spec["mtu"]!);
        });
    }

    [Fact]
    public void KernelDriverVfsAroundAVfioOne_GiveOnePolicyPerContiguousRange()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        run.MoveVf(run.Session.VfsOf(run.Session.AllPfs().Single(p => p.Name == "eth0"))[3].PciAddress, "vfio-pci");

        var policies = YamlDocuments.Parse(run.Export(new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy) { NodeSelector = Node7 }));

        Assert.Equal(["eth0#1-2", "eth0#4-6", "eth0#0-0", "eth0#3-3"], policies.Select(p => (string?)p!["spec"]!["nicSelector"]!["pfNames"]![0]));
        Assert.Equal(
            ["sriov_eth0_netdevice", "sriov_eth0_netdevice", "sriov_eth0_vfio", "sriov_eth0_vfio"],
            policies.Select(p => (string?)p!["spec"]!["resourceName"]));
        Assert.Equal(4, policies.Select(p => (string?)p!["metadata"]!["name"]).Distinct().Count());
    }

    [Fact]
    public void ATreeWithoutAHostName_SelectsSriovCapableNodes_AndSaysSo()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var policy = YamlDocuments.Parse(run.Export(new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy)))[0]!;

        Assert.Equal("true", (string?)policy["spec"]!["nodeSelector"]!["feature.node.kubernetes.io/network-sriov.capable"]);
        Assert.Contains(run.Warnings, w => w.Contains("has no host name", System.StringComparison.Ordinal));
    }

    [Fact]
    public void ATreeWithAHostName_SelectsThatNode()
    {
        var tree = HostTree.FromFixture("lab-igb");
        tree.WriteFile("/etc/hostname", "KVM-07.example.net\n");
        using var run = new ExportRun(tree);

        var policy = YamlDocuments.Parse(run.Export(new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy)))[0]!;

        // The kubelet's label is the whole host name, in lower case.
        Assert.Equal("kvm-07.example.net", (string?)policy["spec"]!["nodeSelector"]!["kubernetes.io/hostname"]);
    }

    [Theory]
    [InlineData("Bad Key", "x")]
    [InlineData("kubernetes.io/hostname", "-node")]
    [InlineData("UPPER.example.com/role", "sriov")]
    public void ABadNodeSelector_IsRefused(string key, string value)
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var request = new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy) { NodeSelector = new Dictionary<string, string> { [key] = value } };

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(request));

        Assert.StartsWith("-NodeSelector", e.Message);
    }

    [Fact]
    public void AnEmptyNodeSelector_IsRefused_AsItWouldSelectEveryNode()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => run.Export(new ExportRequest(SriovExportFormat.SriovNetworkNodePolicy) { NodeSelector = new Dictionary<string, string>() }));

        Assert.Contains("selects every node", e.Message);
    }

    [Fact]
    public void NodeLabels_WriteTrueAsKubernetesDoes_AndRefuseALabelGivenTwice()
    {
        var labels = ExportNames.NodeLabels(new System.Collections.Hashtable { ["feature.node.kubernetes.io/network-sriov.capable"] = true, ["rack"] = 7 });

        Assert.Equal("true", labels["feature.node.kubernetes.io/network-sriov.capable"]);
        Assert.Equal("7", labels["rack"]);
        SriovAssert.Throws(SriovErrorCategory.InvalidArgument, () => ExportNames.NodeLabels(new System.Collections.Hashtable { [1] = "a", ["1"] = "b" }));
    }

    [Fact]
    public void AnUnreadVlan_IsWrittenAsNone_WithAWarningThatSaysWhatThatDoes()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var nads = YamlDocuments.Parse(run.Export(new ExportRequest(SriovExportFormat.NetworkAttachmentDefinition)));

        Assert.All(nads, nad => Assert.Equal(0, (int)JsonNode.Parse((string)nad!["spec"]!["config"]!)!["vlan"]!));
        Assert.Contains(run.Warnings, w => w.StartsWith("NetworkAttachmentDefinition 'sriov-eth0-netdevice': the VLAN of eth0 VF 1-6 was not read", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Vlan4095_WhichSriovCniRefuses_IsLeftOut()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var resource = Resource(run, [Vf(run, 1, vlan: 4095), Vf(run, 2, vlan: 4095)]);
        var warnings = new List<string>();

        var settings = VfNetworkSettings.Of(resource, "SriovNetwork", new CallbackReport(warn: warnings.Add));

        Assert.Null(settings.Vlan);
        Assert.Null(settings.VlanProtocol);
        Assert.Contains("outside what sriov-cni and the operator take (0-4094)", Assert.Single(warnings));
    }

    [Fact]
    public void TheKernels802_1Q_IsWrittenInLowerCase_InEveryFormat()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var resource = Resource(run, [Vf(run, 1, vlan: 7, protocol: "802.1Q")]);

        var config = JsonNode.Parse(KubernetesObjects.SriovCniConfig("net", VfNetworkSettings.Of(resource, "NetworkAttachmentDefinition", CallbackReport.Throwing)))!;
        var network = YamlDocuments.Parse(OperatorObjects.Networks([resource], "sriov-network-operator", null, CallbackReport.Throwing))[0]!;

        Assert.Equal("802.1q", (string?)config["vlanProto"]);
        Assert.Equal("802.1q", (string?)network["spec"]!["vlanProto"]);
    }

    [Fact]
    public void SharedVfSettings_GoIntoTheNetworks_UnderEachComponentsOwnNames()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var resource = Resource(run, [Vf(run, 1, vlan: 42, qos: 3, protocol: "802.1ad", maxRate: 500), Vf(run, 2, vlan: 42, qos: 3, protocol: "802.1ad", maxRate: 500)]);
        var warnings = new List<string>();
        var report = new CallbackReport(warn: warnings.Add, fail: e => throw e);

        var config = JsonNode.Parse(KubernetesObjects.SriovCniConfig("net", VfNetworkSettings.Of(resource, "NetworkAttachmentDefinition", report)))!;
        var network = YamlDocuments.Single(OperatorObjects.Networks([resource], "sriov-network-operator", "tenant1", report).Replace("---\n", ""));

        Assert.Equal("""{"cniVersion":"1.0.0","name":"net","type":"sriov","vlan":42,"vlanQoS":3,"vlanProto":"802.1ad","spoofchk":"on","trust":"off","link_state":"enable","max_tx_rate":500}""", config.ToJsonString());
        var spec = network["spec"]!;
        Assert.Equal("r1", (string?)spec["resourceName"]);
        Assert.Equal("tenant1", (string?)spec["networkNamespace"]);
        Assert.Equal(42, (int)spec["vlan"]!);
        Assert.Equal(3, (int)spec["vlanQoS"]!);
        Assert.Equal("802.1ad", (string?)spec["vlanProto"]);
        Assert.Equal("on", (string?)spec["spoofChk"]);
        Assert.Equal("off", (string?)spec["trust"]);
        Assert.Equal("enable", (string?)spec["linkState"]);
        Assert.Equal(500, (int)spec["maxTxRate"]!);
        Assert.Null(spec["minTxRate"]);
        Assert.Empty(warnings);
    }

    [Fact]
    public void ASettingTheVfsDifferIn_IsLeftOut_WithAWarningNamingThem()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var resource = Resource(run, [Vf(run, 1, vlan: 10), Vf(run, 2, vlan: 0), Vf(run, 3, vlan: 0)]);
        var warnings = new List<string>();
        var report = new CallbackReport(warn: warnings.Add, fail: e => throw e);

        var config = JsonNode.Parse(KubernetesObjects.SriovCniConfig("net", VfNetworkSettings.Of(resource, "NetworkAttachmentDefinition", report)))!;

        Assert.Null(config["vlan"]);
        Assert.Null(config["vlanQoS"]);
        var warning = Assert.Single(warnings);
        Assert.Contains("differ in VLAN (10 on eth0 VF 1; 0 on eth0 VF 2-3)", warning);
        Assert.Contains("-GroupBy Vf", warning);
    }

    [Fact]
    public void AOneVfResource_CarriesItsMac_AndAutoLinkStateIsNotWritten()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));
        var resource = Resource(run, [Vf(run, 5, mac: "02:53:52:00:00:05", linkState: VfLinkState.Auto)]);

        var config = JsonNode.Parse(KubernetesObjects.SriovCniConfig("net", VfNetworkSettings.Of(resource, "NetworkAttachmentDefinition", CallbackReport.Throwing)))!;

        Assert.Equal("02:53:52:00:00:05", (string?)config["mac"]);
        Assert.Null(config["link_state"]);
        Assert.Null(config["vlanProto"]);
    }

    [Fact]
    public void KubeVirtInterfaces_AreForTheVfioResourceOnly()
    {
        using var run = new ExportRun(HostTree.FromFixture("lab-igb"));

        var fragment = YamlDocuments.Single(run.Export(new ExportRequest(SriovExportFormat.KubeVirtInterface) { Namespace = "vms" }));

        var iface = Assert.Single(fragment["spec"]!["domain"]!["devices"]!["interfaces"]!.AsArray())!;
        Assert.Equal("sriov-eth0-vfio", (string?)iface["name"]);
        Assert.Empty(iface["sriov"]!.AsObject());
        var network = Assert.Single(fragment["spec"]!["networks"]!.AsArray())!;
        Assert.Equal("sriov-eth0-vfio", (string?)network["name"]);
        Assert.Equal("vms/sriov-eth0-vfio", (string?)network["multus"]!["networkName"]);
        Assert.Contains(run.Warnings, w => w.StartsWith("sriov_eth0_netdevice (eth0 VF 1-6) is on a kernel network driver", System.StringComparison.Ordinal));
    }

    [Fact]
    public void KubeVirtInterfaces_WithoutVfioVfs_AreAnError()
    {
        using var run = new ExportRun(HostTree.FromFixture("i350-4port"));

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => run.Export(new ExportRequest(SriovExportFormat.KubeVirtInterface)));

        Assert.Equal(nameof(ErrorCatalog.NoVfioVfs), e.ErrorId);
    }

    private static ExportResource Resource(ExportRun run, IReadOnlyList<SriovVf> vfs)
    {
        var pf = ExportedPf.Read(run.Session, run.Session.AllPfs().Single(p => p.Name == "eth0"), null);
        return new ExportResource("r1", VfDriverKind.NetDevice, [new ResourceMember(pf, vfs)]);
    }

    private static SriovVf Vf(
        ExportRun run, int index, int vlan = 0, int qos = 0, string? protocol = null, int maxRate = 0, string? mac = null, VfLinkState linkState = VfLinkState.Enable)
    {
        var pf = run.Session.AllPfs().Single(p => p.Name == "eth0");
        return new SriovVf(pf.PciAddress, run.Session.VfsOf(pf)[index].PciAddress)
        {
            PfName = pf.Name,
            Index = index,
            Driver = "igbvf",
            Vlan = vlan,
            Qos = qos,
            VlanProtocol = vlan > 0 ? protocol ?? "802.1Q" : null,
            SpoofCheck = true,
            Trust = false,
            LinkState = linkState,
            MinTxRate = 0,
            MaxTxRate = maxRate,
            MacAddress = mac ?? "00:00:00:00:00:00",
        };
    }
}
