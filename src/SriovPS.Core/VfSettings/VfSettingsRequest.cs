using SriovPS.Native.Netlink;

namespace SriovPS.VfSettings;

/// <summary>
/// The VF settings a user asked to change, validated before anything is sent; a <c>null</c> member is
/// left as the PF holds it. Checks that need the VF's present values (QoS without a VLAN, a minimum
/// rate above the kept maximum) are made by <see cref="VfSettingsPlan"/>, still before anything is sent.
/// </summary>
internal sealed class VfSettingsRequest
{
    internal const int MaxVlan = 4095;
    internal const int MaxQos = 7;

    /// <summary>The word that asks for each VF's MAC by <see cref="VfMacRule"/> instead of a literal one.</summary>
    internal const string AutoMac = "auto";

    private VfSettingsRequest()
    {
    }

    /// <summary>The administrative MAC to assign; all zeros when it is to be cleared.</summary>
    internal byte[]? MacAddress { get; private init; }

    /// <summary>Whether each VF is to get the MAC <see cref="VfMacRule"/> derives from its PF's (<see cref="MacAddress"/> is then null).</summary>
    internal bool AutoMacAddress { get; private init; }

    internal int? Vlan { get; private init; }

    internal int? Qos { get; private init; }

    /// <summary>ETH_P_8021Q or ETH_P_8021AD.</summary>
    internal ushort? VlanProtocol { get; private init; }

    internal bool? SpoofCheck { get; private init; }

    internal bool? Trust { get; private init; }

    internal VfLinkState? LinkState { get; private init; }

    /// <summary>Mbit/s; 0 removes the guarantee.</summary>
    internal int? MinTxRate { get; private init; }

    /// <summary>Mbit/s; 0 removes the limit.</summary>
    internal int? MaxTxRate { get; private init; }

    /// <summary>Whether no setting was named.</summary>
    internal bool IsEmpty =>
        MacAddress is null && !AutoMacAddress && Vlan is null && Qos is null && VlanProtocol is null && SpoofCheck is null
        && Trust is null && LinkState is null && MinTxRate is null && MaxTxRate is null;

    /// <summary>Checks each value on its own and against the others given with it.</summary>
    /// <param name="vlanProtocol"><c>802.1Q</c> or <c>802.1ad</c>, in any case.</param>
    /// <exception cref="SriovException">A value no VF can take; nothing has been sent.</exception>
    internal static VfSettingsRequest Create(
        string? macAddress = null,
        bool clearMacAddress = false,
        int? vlan = null,
        int? qos = null,
        string? vlanProtocol = null,
        bool? spoofCheck = null,
        bool? trust = null,
        VfLinkState? linkState = null,
        int? minTxRate = null,
        int? maxTxRate = null)
    {
        if (macAddress is not null && clearMacAddress)
        {
            throw Invalid("-MacAddress assigns a MAC and -ClearMacAddress removes it: give one of them.", macAddress);
        }

        bool auto = string.Equals(macAddress?.Trim(), AutoMac, StringComparison.OrdinalIgnoreCase);
        byte[]? mac = clearMacAddress ? new byte[Values.MacAddress.Length]
            : macAddress is null || auto ? null
            : Values.MacAddress.ParseUnicast(macAddress);

        CheckRange(vlan, 0, MaxVlan, "VLAN", "-Vlan");
        CheckRange(qos, 0, MaxQos, "QoS (802.1p priority)", "-Qos");
        CheckRange(minTxRate, 0, int.MaxValue, "minimum rate", "-MinTxRate");
        CheckRange(maxTxRate, 0, int.MaxValue, "maximum rate", "-MaxTxRate");
        if (linkState is { } state && !Enum.IsDefined(state))
        {
            throw Invalid($"{(int)state} is not a VF link state: use Auto, Enable or Disable.", state);
        }

        ushort? protocol = vlanProtocol is null ? null : ParseVlanProtocol(vlanProtocol);
        if (vlan == 0 && qos is > 0)
        {
            throw Invalid($"-Qos {qos} sets the priority of the VF's VLAN tag, and -Vlan 0 removes the tag: give a VLAN from 1 to {MaxVlan}.", qos);
        }

        if (vlan == 0 && protocol == IfLink.EthP8021AD)
        {
            throw Invalid("-VlanProtocol 802.1ad names the tag to push, and -Vlan 0 removes the tag: give a VLAN from 1 to 4095.", vlanProtocol);
        }

        if (minTxRate is int min && maxTxRate is int max)
        {
            CheckRates(min, max);
        }

        return new VfSettingsRequest
        {
            MacAddress = mac,
            AutoMacAddress = auto,
            Vlan = vlan,
            Qos = qos,
            VlanProtocol = protocol,
            SpoofCheck = spoofCheck,
            Trust = trust,
            LinkState = linkState,
            MinTxRate = minTxRate,
            MaxTxRate = maxTxRate,
        };
    }

    /// <summary>This request with <paramref name="mac"/> in place of "auto": what one VF is sent.</summary>
    internal VfSettingsRequest WithMacAddress(byte[] mac) => WithMac(mac);

    /// <summary>This request without a MAC: what a VF that keeps its own MAC is sent.</summary>
    internal VfSettingsRequest WithoutMacAddress() => WithMac(null);

    private VfSettingsRequest WithMac(byte[]? mac) => new()
    {
        MacAddress = mac,
        Vlan = Vlan,
        Qos = Qos,
        VlanProtocol = VlanProtocol,
        SpoofCheck = SpoofCheck,
        Trust = Trust,
        LinkState = LinkState,
        MinTxRate = MinTxRate,
        MaxTxRate = MaxTxRate,
    };

    /// <summary>A maximum of 0 is "no limit"; any other maximum must be at least the minimum.</summary>
    internal static void CheckRates(int minTxRate, int maxTxRate)
    {
        if (maxTxRate != 0 && minTxRate > maxTxRate)
        {
            throw Invalid(
                $"The minimum rate {minTxRate} Mbit/s is above the maximum {maxTxRate} Mbit/s: raise the maximum, or make it 0 (no limit).",
                minTxRate);
        }
    }

    internal static ushort ParseVlanProtocol(string text) =>
        text.Equals("802.1Q", StringComparison.OrdinalIgnoreCase) ? IfLink.EthP8021Q
        : text.Equals("802.1ad", StringComparison.OrdinalIgnoreCase) ? IfLink.EthP8021AD
        : throw Invalid($"'{text}' is not a VLAN protocol: use 802.1Q (a customer tag) or 802.1ad (a service tag, QinQ).", text);

    internal static SriovException Invalid(string message, object? target) =>
        new(ErrorCatalog.InvalidVfSetting, message, target);

    private static void CheckRange(int? value, int min, int max, string what, string parameter)
    {
        if (value is int v && (v < min || v > max))
        {
            throw Invalid($"{parameter} {v} is outside the {what} range {min}–{max}.", v);
        }
    }
}
