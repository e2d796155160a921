using SriovPS.Native.Netlink;

namespace SriovPS.VfSettings;

/// <summary>The VF attributes in the order they are sent: the order <c>ip link set … vf N</c> documents them.</summary>
internal enum VfSettingKind
{
    Vlan,
    MacAddress,
    Rate,
    SpoofCheck,
    Trust,
    LinkState,
}

/// <summary>One VF attribute to send in its own RTM_SETLINK, with the words <c>ip link</c> uses for it.</summary>
internal sealed class VfSettingChange
{
    private readonly Action<NetlinkMessageBuilder> _write;

    internal VfSettingChange(VfSettingKind kind, string ipArguments, Action<NetlinkMessageBuilder> write)
    {
        Kind = kind;
        IpArguments = ipArguments;
        _write = write;
    }

    internal VfSettingKind Kind { get; }

    /// <summary>What follows <c>ip link set PF vf N</c> for this change: <c>vlan 42 qos 3</c>.</summary>
    internal string IpArguments { get; }

    /// <summary>The attribute as errors name it: "setting link-state".</summary>
    internal string Description => Describe(Kind);

    internal static string Describe(VfSettingKind kind) => kind switch
    {
        VfSettingKind.Vlan => "setting a VLAN",
        VfSettingKind.MacAddress => "setting a MAC address",
        VfSettingKind.Rate => "setting rates",
        VfSettingKind.SpoofCheck => "setting spoof-check",
        VfSettingKind.Trust => "setting trust",
        VfSettingKind.LinkState => "setting link-state",
        _ => kind.ToString(),
    };

    /// <summary>Appends the IFLA_VF_* attribute to an IFLA_VF_INFO entry.</summary>
    internal void Write(NetlinkMessageBuilder request) => _write(request);

    public override string ToString() => IpArguments;
}
