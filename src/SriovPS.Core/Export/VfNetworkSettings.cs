namespace SriovPS.Export;

/// <summary>
/// The VF settings a resource's network carries (sriov-cni's configuration, the operator's
/// SriovNetwork): a setting is written only when every VF of the resource has the same value. A
/// setting on which they differ is left out, and reported with the VFs and their values, since a pod
/// would get whichever VF the pool hands out.
/// </summary>
internal sealed class VfNetworkSettings
{
    /// <summary>The VLAN, 0 for none; <c>null</c> only when the VFs differ.</summary>
    public int? Vlan { get; private init; }

    public int? Qos { get; private init; }

    /// <summary><c>802.1q</c> or <c>802.1ad</c>, lower-case as sriov-cni takes it; only with a VLAN.</summary>
    public string? VlanProtocol { get; private init; }

    public bool? SpoofCheck { get; private init; }

    public bool? Trust { get; private init; }

    /// <summary>Spoof checking as both sriov-cni and the operator write it: <c>on</c> or <c>off</c>.</summary>
    public string? SpoofCheckOnOff => SpoofCheck is bool spoof ? OnOff(spoof) : null;

    public string? TrustOnOff => Trust is bool trust ? OnOff(trust) : null;

    /// <summary><c>enable</c> or <c>disable</c>; never <c>auto</c>, the state a VF has unless set (and one igb cannot be told).</summary>
    public string? LinkState { get; private init; }

    /// <summary>A rate in Mbit/s; written only when it limits (0 is no limit, and what a VF has unless set).</summary>
    public int? MinTxRate { get; private init; }

    public int? MaxTxRate { get; private init; }

    /// <summary>The MAC, only for a resource of one VF (the MAC the PF gave it; not an all-zero one).</summary>
    public string? MacAddress { get; private init; }

    /// <summary>
    /// The settings the VFs of <paramref name="resource"/> share. A VLAN that was not read (a copied
    /// host tree) counts as none, so that <c>vlan</c> is still written: without it sriov-cni leaves a
    /// VF's VLAN as it finds it.
    /// </summary>
    public static VfNetworkSettings Of(ExportResource resource, string document, IHostReport report)
    {
        var vfs = resource.Members.SelectMany(m => m.Vfs.Select(vf => (m.Pf.Pf, Vf: vf))).ToList();
        T? Shared<T>(string setting, Func<SriovVf, T?> value)
        {
            var distinct = vfs.Select(v => value(v.Vf)).Distinct().ToList();
            if (distinct.Count <= 1)
            {
                return distinct.FirstOrDefault();
            }

            string values = string.Join("; ", vfs.GroupBy(v => value(v.Vf)).Select(g => $"{Describe(g.Key)} on {Describe(g)}"));
            report.Warn($"{document} '{resource.NetworkName}': the VFs of {resource.Name} differ in {setting} ({values}), so it is left out and each VF keeps its own. To give each its own network, export with -GroupBy Vf.");
            return default;
        }

        var unread = vfs.Where(v => v.Vf.Vlan is null).ToList();
        if (unread.Count > 0)
        {
            report.Warn($"{document} '{resource.NetworkName}': the VLAN of {Describe(unread)} was not read (a copied host tree, or a driver that does not report its VFs), so vlan 0 is written: a pod given such a VF has its VLAN cleared.");
        }

        // A priority and protocol belong to the VLAN: when the VLANs differ, so does what goes with them, said once.
        int? vlan = Shared("VLAN", vf => (int?)(vf.Vlan ?? 0));
        if (vlan > MaxCniVlan)
        {
            report.Warn($"{document} '{resource.NetworkName}': VLAN {vlan} of {resource.Name}'s VFs is outside what sriov-cni and the operator take (0-{MaxCniVlan}), so it is left out and each VF keeps its own.");
            vlan = null;
        }

        int? qos = vlan is null ? null : Shared("VLAN priority (QoS)", vf => vf.Qos);
        string? protocol = vlan is > 0 ? Shared("VLAN protocol", vf => vf.VlanProtocol?.ToLowerInvariant()) : null;
        string? linkState = Shared("link state", vf => vf.LinkState switch
        {
            VfLinkState.Enable => "enable",
            VfLinkState.Disable => "disable",
            _ => null,
        });
        return new VfNetworkSettings
        {
            Vlan = vlan,
            // A priority without a VLAN, or a VLAN whose settings differ, is no setting of its own.
            Qos = vlan == 0 && qos is not 0 ? null : qos,
            VlanProtocol = protocol,
            SpoofCheck = Shared("spoof checking", vf => vf.SpoofCheck),
            Trust = Shared("trust", vf => vf.Trust),
            LinkState = linkState,
            MinTxRate = Shared("minimum transmit rate", vf => vf.MinTxRate is > 0 ? vf.MinTxRate : null),
            MaxTxRate = Shared("maximum transmit rate", vf => vf.MaxTxRate is > 0 ? vf.MaxTxRate : null),
            MacAddress = vfs.Count == 1 && vfs[0].Vf.MacAddress is { } mac && mac.Any(c => c is not ('0' or ':')) ? mac : null,
        };
    }

    // sriov-cni and the operator's SriovNetwork take VLANs 0-4094; the kernel also takes 4095.
    private const int MaxCniVlan = 4094;

    private static string OnOff(bool value) => value ? "on" : "off";

    // The VFs by PF: "eth0 VF 1-3, eth1 VF 0".
    private static string Describe(IEnumerable<(SriovPf Pf, SriovVf Vf)> vfs) =>
        string.Join(", ", vfs.GroupBy(v => v.Pf).Select(p => $"{p.Key} VF {VfIndexRanges.List(p.Select(v => v.Vf.Index))}"));

    private static string Describe(object? value) => value switch
    {
        null => "none",
        bool flag => OnOff(flag),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "none",
    };
}
