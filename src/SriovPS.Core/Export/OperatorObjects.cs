namespace SriovPS.Export;

/// <summary>
/// The sriov-network-operator's objects: a SriovNetworkNodePolicy per PF and contiguous VF range of a
/// resource (its webhook takes only <c>#first-last</c>), and a SriovNetwork per resource with the VFs'
/// settings under the operator's own names.
/// </summary>
internal static class OperatorObjects
{
    public const string ApiVersion = "sriovnetwork.openshift.io/v1";

    /// <exception cref="SriovException">A PF has no interface name, which the operator's pfNames needs (PfInterfaceMissing).</exception>
    public static string NodePolicies(IReadOnlyList<ExportResource> resources, string operatorNamespace, IReadOnlyDictionary<string, string> nodeSelector)
    {
        var documents = new List<YamlNode>();
        foreach (var resource in resources)
        {
            foreach (var member in resource.Members)
            {
                var pf = member.Pf;
                if (pf.Pf.Name is null)
                {
                    throw new SriovException(
                        ErrorCatalog.PfInterfaceMissing,
                        $"The PF at {pf.Pf.PciAddress} has no network interface, and an operator policy selects VF ranges by PF interface name. Nothing was written.",
                        pf.Pf.PciAddress,
                        "Bind the PF to its network driver, or export it as -Format DevicePlugin, which selects by PCI address.");
                }

                foreach (var run in VfIndexRanges.Runs(member.Indexes))
                {
                    documents.Add(Policy(resource, pf, run, operatorNamespace, nodeSelector));
                }
            }
        }

        return YamlText.Documents(documents);
    }

    public static string Networks(IReadOnlyList<ExportResource> resources, string operatorNamespace, string? networkNamespace, IHostReport report) =>
        YamlText.Documents(resources.Select(resource =>
        {
            var settings = VfNetworkSettings.Of(resource, "SriovNetwork", report);
            var spec = new YamlMap().Add("resourceName", resource.Name);
            spec.AddIfKnown("networkNamespace", networkNamespace);
            spec.AddIfKnown("vlan", settings.Vlan);
            spec.AddIfKnown("vlanQoS", settings.Qos);
            spec.AddIfKnown("vlanProto", settings.VlanProtocol);
            spec.AddIfKnown("spoofChk", settings.SpoofCheckOnOff);
            spec.AddIfKnown("trust", settings.TrustOnOff);
            spec.AddIfKnown("linkState", settings.LinkState);
            spec.AddIfKnown("minTxRate", settings.MinTxRate);
            spec.AddIfKnown("maxTxRate", settings.MaxTxRate);
            return (YamlNode)new YamlMap()
                .Add("apiVersion", ApiVersion)
                .Add("kind", "SriovNetwork")
                .Add("metadata", new YamlMap().Add("name", resource.NetworkName).Add("namespace", operatorNamespace))
                .Add("spec", spec);
        }));

    private static YamlMap Policy(ExportResource resource, ExportedPf pf, (int First, int Last) run, string operatorNamespace, IReadOnlyDictionary<string, string> nodeSelector)
    {
        var selector = new YamlMap();
        foreach (var (key, value) in nodeSelector.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            selector.Add(key, value);
        }

        var nic = new YamlMap();
        nic.AddIfKnown("vendor", pf.VendorId);
        // The PF's device id: the operator finds the VFs' id itself, from its supported-nic-ids table.
        nic.AddIfKnown("deviceID", pf.PfDeviceId);
        nic.Add("pfNames", YamlList.Of([$"{pf.Pf.Name}#{VfIndexRanges.Range(run)}"]));

        var spec = new YamlMap()
            .Add("resourceName", resource.Name)
            .Add("nodeSelector", selector)
            .Add("numVfs", pf.Pf.NumVfs)
            .Add("nicSelector", nic)
            .Add("deviceType", resource.Kind == VfDriverKind.Vfio ? "vfio-pci" : "netdevice");
        spec.AddIfKnown("mtu", pf.Pf.Mtu);
        spec.AddIfKnown("linkType", pf.LinkType switch { "ether" => "eth", "infiniband" => "ib", _ => null });
        spec.AddIfKnown("eSwitchMode", pf.Pf.EswitchMode switch { EswitchMode.Legacy => "legacy", EswitchMode.Switchdev => "switchdev", _ => null });

        // Unique per PF and range: a resource over several PFs names the PF too.
        string name = resource.Members.Count == 1
            ? $"{resource.NetworkName}-{VfIndexRanges.Range(run)}"
            : $"{resource.NetworkName}-{ExportNames.ObjectName(ExportNames.PfPart(pf.Pf))}-{VfIndexRanges.Range(run)}";
        return new YamlMap()
            .Add("apiVersion", ApiVersion)
            .Add("kind", "SriovNetworkNodePolicy")
            .Add("metadata", new YamlMap().Add("name", name).Add("namespace", operatorNamespace))
            .Add("spec", spec);
    }
}
