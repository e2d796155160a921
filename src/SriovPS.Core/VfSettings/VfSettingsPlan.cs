using SriovPS.Kernel;
using SriovPS.Native.Netlink;

namespace SriovPS.VfSettings;

/// <summary>
/// What must be sent to give one VF the requested settings: only the attributes not already at the
/// wanted value, in <see cref="VfSettingKind"/> order. VLAN, QoS and tag protocol travel in one
/// attribute, and so do both rates: the member not named keeps its present value.
/// </summary>
internal sealed class VfSettingsPlan
{
    private readonly List<VfSettingChange> _changes;
    private readonly SriovVf? _before;

    private VfSettingsPlan(List<VfSettingChange> changes, List<string> unchanged, bool known, SriovVf? before = null)
    {
        _changes = changes;
        Changes = changes;
        Unchanged = unchanged;
        IsKnown = known;
        _before = before;
    }

    /// <summary>The attributes to send, in order.</summary>
    internal IReadOnlyList<VfSettingChange> Changes { get; }

    /// <summary>The requested settings the VF already has, in <c>ip link</c> words.</summary>
    internal IReadOnlyList<string> Unchanged { get; }

    /// <summary>
    /// Whether the plan was made against the VF's present settings. Without them (a copied host tree)
    /// it only describes the request, for -WhatIf.
    /// </summary>
    internal bool IsKnown { get; }

    internal bool ChangesMacAddress => _changes.Exists(static c => c.Kind == VfSettingKind.MacAddress);

    /// <summary>The changes in <c>ip link</c> words: <c>vlan 42 qos 3 spoofchk on</c>.</summary>
    internal string IpArguments => string.Join(" ", _changes);

    /// <summary>
    /// Describes the request for VF <paramref name="vf"/> when its present settings cannot be read (a
    /// copied host tree): only the members named, in <c>ip link</c> words, for -WhatIf. It cannot be sent.
    /// </summary>
    internal static VfSettingsPlan Describe(VfSettingsRequest request, int vf)
    {
        var changes = new List<VfSettingChange>();
        static void Unsendable(NetlinkMessageBuilder builder) =>
            throw new InvalidOperationException("A plan made without the VF's present settings describes the request only.");

        var vlan = new List<string>(3);
        if (request.Vlan is int v)
        {
            vlan.Add(string.Create(CultureInfo.InvariantCulture, $"vlan {v}"));
        }

        if (request.Qos is int q)
        {
            vlan.Add(string.Create(CultureInfo.InvariantCulture, $"qos {q}"));
        }

        if (request.VlanProtocol is ushort protocol)
        {
            vlan.Add(protocol == IfLink.EthP8021AD ? "proto 802.1ad" : "proto 802.1Q");
        }

        if (vlan.Count > 0)
        {
            changes.Add(new VfSettingChange(VfSettingKind.Vlan, string.Join(" ", vlan), Unsendable));
        }

        var rates = new List<string>(2);
        if (request.MinTxRate is int min)
        {
            rates.Add(string.Create(CultureInfo.InvariantCulture, $"min_tx_rate {min}"));
        }

        if (request.MaxTxRate is int max)
        {
            rates.Add(string.Create(CultureInfo.InvariantCulture, $"max_tx_rate {max}"));
        }

        var known = For(request, KernelLinkMapping.CreateVf(string.Empty, string.Empty, null, vf, null), describing: true);
        foreach (var change in known.Changes)
        {
            if (change.Kind == VfSettingKind.Rate && rates.Count > 0)
            {
                changes.Add(new VfSettingChange(VfSettingKind.Rate, string.Join(" ", rates), Unsendable));
            }
            else if (change.Kind is not (VfSettingKind.Vlan or VfSettingKind.Rate))
            {
                changes.Add(new VfSettingChange(change.Kind, change.IpArguments, Unsendable));
            }
        }

        changes.Sort(static (a, b) => a.Kind.CompareTo(b.Kind));
        return new VfSettingsPlan(changes, [], known: false);
    }

    /// <param name="current">The VF as the kernel reports it now.</param>
    /// <exception cref="SriovException">
    /// The request together with the VF's present values is invalid (QoS on a VF without a VLAN), or a
    /// value to keep is one the driver does not report. Nothing has been sent.
    /// </exception>
    internal static VfSettingsPlan For(VfSettingsRequest request, SriovVf current) => For(request, current, describing: false);

    private static VfSettingsPlan For(VfSettingsRequest request, SriovVf current, bool describing)
    {
        var changes = new List<VfSettingChange>();
        var unchanged = new List<string>();
        int vf = current.Index;

        void Add(bool same, VfSettingChange change)
        {
            if (same)
            {
                unchanged.Add(change.IpArguments);
            }
            else
            {
                changes.Add(change);
            }
        }

        if (!describing && (request.Vlan is not null || request.Qos is not null || request.VlanProtocol is not null))
        {
            var (vlan, qos, protocol, same) = Vlan(request, current);
            Add(same, VlanChange(vf, vlan, qos, protocol));
        }

        if (request.MacAddress is { } mac)
        {
            string text = KernelLinkMapping.FormatAddress(mac)!;
            bool same = current.MacAddress is { } present && string.Equals(present, text, StringComparison.OrdinalIgnoreCase);
            Add(same, MacChange(vf, mac));
        }

        if (request.MinTxRate is not null || request.MaxTxRate is not null)
        {
            if (describing)
            {
                changes.Add(new VfSettingChange(VfSettingKind.Rate, string.Empty, static _ => { }));
            }
            else
            {
                var (min, max, same) = Rates(request, current);
                Add(same, RateChange(vf, min, max));
            }
        }

        if (request.SpoofCheck is bool spoofCheck)
        {
            Add(current.SpoofCheck == spoofCheck, SpoofCheckChange(vf, spoofCheck));
        }

        if (request.Trust is bool trust)
        {
            Add(current.Trust == trust, TrustChange(vf, trust));
        }

        if (request.LinkState is VfLinkState state)
        {
            Add(current.LinkState == state, LinkStateChange(vf, state));
        }

        return new VfSettingsPlan(changes, unchanged, known: true, current);
    }

    private static (int Vlan, int Qos, ushort Protocol, bool Same) Vlan(VfSettingsRequest request, SriovVf current)
    {
        if (request.Vlan is null && current.Vlan is null)
        {
            throw VfSettingsRequest.Invalid(
                $"{current}: the PF does not report the VF's VLAN, so -Qos or -VlanProtocol alone cannot keep it: give -Vlan too.", current);
        }

        int presentVlan = current.Vlan ?? 0;
        int presentQos = current.Qos ?? 0;
        ushort presentProtocol = current.VlanProtocol is { } text ? VfSettingsRequest.ParseVlanProtocol(text) : IfLink.EthP8021Q;

        int vlan = request.Vlan ?? presentVlan;

        // Removing the tag removes its priority and protocol with it.
        int qos = request.Qos ?? (vlan == 0 ? 0 : presentQos);
        ushort protocol = request.VlanProtocol ?? (vlan == 0 ? IfLink.EthP8021Q : presentProtocol);
        if (vlan == 0 && qos != 0)
        {
            throw VfSettingsRequest.Invalid(
                $"{current} has no VLAN, and -Qos {qos} sets the priority of the VLAN tag: give -Vlan too.", current);
        }

        if (vlan == 0 && protocol == IfLink.EthP8021AD)
        {
            throw VfSettingsRequest.Invalid(
                $"{current} has no VLAN, and -VlanProtocol 802.1ad names the tag to push: give -Vlan too.", current);
        }

        bool same = current.Vlan is not null && vlan == presentVlan && qos == presentQos && (vlan == 0 || protocol == presentProtocol);
        return (vlan, qos, protocol, same);
    }

    private static (int Min, int Max, bool Same) Rates(VfSettingsRequest request, SriovVf current)
    {
        int? min = request.MinTxRate ?? current.MinTxRate;
        int? max = request.MaxTxRate ?? current.MaxTxRate;
        if (min is null || max is null)
        {
            throw VfSettingsRequest.Invalid(
                $"{current}: the PF does not report the VF's present rates, and both travel in one attribute: give -MinTxRate and -MaxTxRate together.",
                current);
        }

        VfSettingsRequest.CheckRates(min.Value, max.Value);
        return (min.Value, max.Value, min == current.MinTxRate && max == current.MaxTxRate);
    }

    /// <summary>
    /// The changes that put back what this plan changes: each attribute at the value the VF had when
    /// the plan was made. An attribute whose value the driver did not report then cannot be put back:
    /// it is in <paramref name="unknown"/>, in <c>ip link</c> words.
    /// </summary>
    /// <param name="applied">Only the changes the kernel took, when some were refused; <c>null</c>: all of them.</param>
    internal VfSettingsPlan Restoring(out List<string> unknown, IReadOnlyCollection<VfSettingChange>? applied = null)
    {
        var before = _before ?? throw new InvalidOperationException("A plan made without the VF's present settings has nothing to put back.");
        var restore = new List<VfSettingChange>(_changes.Count);
        unknown = [];
        foreach (var change in _changes.Where(c => applied is null || applied.Contains(c)))
        {
            if (Previous(change.Kind, before) is { } previous)
            {
                restore.Add(previous);
            }
            else
            {
                unknown.Add(change.IpArguments);
            }
        }

        return new VfSettingsPlan(restore, [], known: true);
    }

    /// <summary>The attribute of <paramref name="kind"/> at the value <paramref name="before"/> has; <c>null</c> when the driver does not report it.</summary>
    private static VfSettingChange? Previous(VfSettingKind kind, SriovVf before)
    {
        int vf = before.Index;
        return kind switch
        {
            // An untagged VF has no priority or tag protocol to put back.
            VfSettingKind.Vlan when before.Vlan is int vlan => vlan == 0
                ? VlanChange(vf, 0, 0, IfLink.EthP8021Q)
                : VlanChange(vf, vlan, before.Qos ?? 0, before.VlanProtocol is { } text ? VfSettingsRequest.ParseVlanProtocol(text) : IfLink.EthP8021Q),
            VfSettingKind.MacAddress when Values.MacAddress.TryParse(before.MacAddress) is { } mac => MacChange(vf, mac),
            VfSettingKind.Rate when before.MinTxRate is int min && before.MaxTxRate is int max => RateChange(vf, min, max),
            VfSettingKind.SpoofCheck when before.SpoofCheck is bool on => SpoofCheckChange(vf, on),
            VfSettingKind.Trust when before.Trust is bool on => TrustChange(vf, on),
            VfSettingKind.LinkState when before.LinkState is VfLinkState state => LinkStateChange(vf, state),
            _ => null,
        };
    }

    private static VfSettingChange VlanChange(int vf, int vlan, int qos, ushort protocol) => new(
        VfSettingKind.Vlan,
        VlanArguments(vlan, qos, protocol),
        protocol == IfLink.EthP8021Q
            ? b => VfAttributeWriter.Vlan(b, vf, (uint)vlan, (uint)qos)
            : b => VfAttributeWriter.VlanList(b, vf, (uint)vlan, (uint)qos, protocol));

    private static VfSettingChange MacChange(int vf, byte[] mac) =>
        new(VfSettingKind.MacAddress, "mac " + KernelLinkMapping.FormatAddress(mac), b => VfAttributeWriter.Mac(b, vf, mac));

    private static VfSettingChange RateChange(int vf, int min, int max) => new(
        VfSettingKind.Rate,
        string.Create(CultureInfo.InvariantCulture, $"min_tx_rate {min} max_tx_rate {max}"),
        b => VfAttributeWriter.Rate(b, vf, (uint)min, (uint)max));

    private static VfSettingChange SpoofCheckChange(int vf, bool on) =>
        new(VfSettingKind.SpoofCheck, "spoofchk " + OnOff(on), b => VfAttributeWriter.SpoofCheck(b, vf, on));

    private static VfSettingChange TrustChange(int vf, bool on) =>
        new(VfSettingKind.Trust, "trust " + OnOff(on), b => VfAttributeWriter.Trust(b, vf, on));

    private static VfSettingChange LinkStateChange(int vf, VfLinkState state) =>
        new(VfSettingKind.LinkState, "state " + state.ToString().ToLowerInvariant(), b => VfAttributeWriter.LinkState(b, vf, (uint)state));

    private static string VlanArguments(int vlan, int qos, ushort protocol)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"vlan {vlan}");
        if (qos != 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" qos {qos}");
        }

        return protocol == IfLink.EthP8021AD ? text + " proto 802.1ad" : text;
    }

    private static string OnOff(bool on) => on ? "on" : "off";
}
