namespace SriovPS.Export;

/// <summary>
/// nmstate's desired state for the PFs: up, each PF's VF count (<c>total-vfs</c> is the number of VFs
/// now, not the maximum) and autoprobe, and every VF with its settings — nmstate wants all of them
/// once it is given any. What nmstate cannot say (a VF's driver, its link state, the eswitch mode) is
/// not written.
/// </summary>
internal static class NmstateConfig
{
    public static string Write(IReadOnlyList<ExportedPf> pfs, HostSession session)
    {
        var report = session.Report;
        var interfaces = new YamlList();
        foreach (var pf in pfs)
        {
            if (pf.Pf.Name is null)
            {
                report.Warn($"The PF at {pf.Pf.PciAddress} has no network interface, and nmstate names interfaces; it is left out.");
                continue;
            }

            var sriov = new YamlMap().Add("total-vfs", pf.Vfs.Count);
            sriov.AddIfKnown("drivers-autoprobe", pf.Pf.DriversAutoprobe);
            sriov.Add("vfs", new YamlList(pf.Vfs.Select(vf => (YamlNode)Vf(vf))));

            var entry = new YamlMap().Add("name", pf.Pf.Name).Add("type", "ethernet").Add("state", "up");
            entry.AddIfKnown("mtu", pf.Pf.Mtu);
            // Only nmstate needs them: one netlink dump per PF, none on a copied tree.
            var addresses = session.KernelLinks?.ReadAddresses(pf.Pf.Name);
            if (addresses is { Count: 0 })
            {
                // An SR-IOV PF without an address: nmstate must not start DHCP or keep a link-local address on it.
                entry.Add("ipv4", new YamlMap().Add("enabled", false));
                entry.Add("ipv6", new YamlMap().Add("enabled", false));
            }
            else if (addresses is null)
            {
                report.Warn($"{pf.Pf.Name}: its addresses were not read (a copied host tree), so its ipv4 and ipv6 are left to nmstate as they are.");
            }

            entry.Add("ethernet", new YamlMap().Add("sr-iov", sriov));
            interfaces.Items.Add(entry);
        }

        return YamlText.Document(new YamlMap().Add("interfaces", interfaces));
    }

    private static YamlMap Vf(SriovVf vf)
    {
        var entry = new YamlMap().Add("id", vf.Index);
        if (vf.MacAddress is { } mac && mac.Any(c => c is not ('0' or ':')))
        {
            entry.Add("mac-address", mac.ToUpperInvariant());
        }

        entry.AddIfKnown("spoof-check", vf.SpoofCheck);
        entry.AddIfKnown("trust", vf.Trust);
        entry.AddIfKnown("min-tx-rate", vf.MinTxRate);
        entry.AddIfKnown("max-tx-rate", vf.MaxTxRate);
        entry.AddIfKnown("vlan-id", vf.Vlan);
        entry.AddIfKnown("qos", vf.Qos);
        // nmstate refuses 802.1ad without a VLAN, and 802.1q is its default.
        if (vf.Vlan is > 0 && vf.VlanProtocol is { } protocol)
        {
            entry.Add("vlan-proto", protocol.ToLowerInvariant());
        }

        return entry;
    }
}
