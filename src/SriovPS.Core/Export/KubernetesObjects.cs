using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SriovPS.Export;

/// <summary>
/// The Kubernetes objects that name the resources: Multus NetworkAttachmentDefinitions (with the
/// sriov-cni configuration as the VFs are set now), and the KubeVirt interfaces that use them.
/// </summary>
internal static class KubernetesObjects
{
    public const string NadApiVersion = "k8s.cni.cncf.io/v1";

    /// <summary>The annotation through which Multus learns which device-plugin resource a network's VF comes from.</summary>
    public const string ResourceNameAnnotation = "k8s.v1.cni.cncf.io/resourceName";

    /// <summary>One NetworkAttachmentDefinition per resource, named as its KubeVirt interface and SriovNetwork are.</summary>
    public static string NetworkAttachmentDefinitions(IReadOnlyList<ExportResource> resources, string prefix, string? nameSpace, IHostReport report) =>
        YamlText.Documents(resources.Select(resource =>
        {
            var metadata = new YamlMap().Add("name", resource.NetworkName);
            metadata.AddIfKnown("namespace", nameSpace);
            metadata.Add("annotations", new YamlMap().Add(ResourceNameAnnotation, DevicePluginConfig.ExtendedResourceName(prefix, resource)));
            var settings = VfNetworkSettings.Of(resource, "NetworkAttachmentDefinition", report);
            return (YamlNode)new YamlMap()
                .Add("apiVersion", NadApiVersion)
                .Add("kind", "NetworkAttachmentDefinition")
                .Add("metadata", metadata)
                .Add("spec", new YamlMap().Add("config", YamlText.SingleQuoted(SriovCniConfig(resource.NetworkName, settings))));
        }));

    /// <summary>
    /// sriov-cni's configuration, on one line. <c>vlan</c> is always there unless the VFs differ in it:
    /// without it sriov-cni leaves a VF's VLAN as it finds it, and a VF a pod gets could keep a VLAN
    /// its last user set.
    /// </summary>
    public static string SriovCniConfig(string networkName, VfNetworkSettings settings)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", "1.0.0");
            json.WriteString("name", networkName);
            json.WriteString("type", "sriov");
            WriteIfKnown(json, "vlan", settings.Vlan);
            WriteIfKnown(json, "vlanQoS", settings.Qos);
            WriteIfKnown(json, "vlanProto", settings.VlanProtocol);
            WriteIfKnown(json, "spoofchk", settings.SpoofCheckOnOff);
            WriteIfKnown(json, "trust", settings.TrustOnOff);
            WriteIfKnown(json, "link_state", settings.LinkState);
            WriteIfKnown(json, "min_tx_rate", settings.MinTxRate);
            WriteIfKnown(json, "max_tx_rate", settings.MaxTxRate);
            WriteIfKnown(json, "mac", settings.MacAddress);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// The VirtualMachineInstance fragment (<c>spec.domain.devices.interfaces</c> and <c>spec.networks</c>)
    /// that gives a guest one VF of each vfio-pci resource. KubeVirt's sriov binding passes the VF through
    /// with vfio, so resources on a kernel driver are left out, and reported.
    /// </summary>
    /// <exception cref="SriovException">No resource is on vfio-pci (NoVfioVfs).</exception>
    public static string KubeVirtInterfaces(IReadOnlyList<ExportResource> resources, string? nameSpace, IHostReport report)
    {
        foreach (var resource in resources.Where(r => r.Kind != VfDriverKind.Vfio))
        {
            report.Warn($"{resource.Label} is on a kernel network driver, and KubeVirt's SR-IOV interfaces take vfio-pci VFs only; it is left out. Move the VFs: Set-SriovVfDriver -Driver vfio-pci.");
        }

        var vfio = resources.Where(r => r.Kind == VfDriverKind.Vfio).ToList();
        if (vfio.Count == 0)
        {
            throw new SriovException(
                ErrorCatalog.NoVfioVfs,
                "None of the VFs exported is on vfio-pci, and KubeVirt passes SR-IOV VFs to guests only through vfio-pci: there are no interfaces to write.",
                "KubeVirtInterface",
                "Move VFs to vfio-pci first: Get-SriovVf PF -Index 0,1 | Set-SriovVfDriver -Driver vfio-pci -Persist.");
        }

        var interfaces = new YamlList(vfio.Select(r => (YamlNode)new YamlMap().Add("name", r.NetworkName).Add("sriov", new YamlMap())));
        var networks = new YamlList(vfio.Select(r => (YamlNode)new YamlMap()
            .Add("name", r.NetworkName)
            .Add("multus", new YamlMap().Add("networkName", nameSpace is null ? r.NetworkName : $"{nameSpace}/{r.NetworkName}"))));
        return YamlText.Document(new YamlMap().Add("spec", new YamlMap()
            .Add("domain", new YamlMap().Add("devices", new YamlMap().Add("interfaces", interfaces)))
            .Add("networks", networks)));
    }

    private static void WriteIfKnown(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteIfKnown(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int known)
        {
            json.WriteNumber(name, known);
        }
    }
}
