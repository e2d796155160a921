namespace SriovPS.Persistence;

/// <summary>
/// What the host's network configuration says about a PF at boot. A PF only carries VFs, so it never
/// gets an address; what remains is whether its link comes up and its MTU.
/// </summary>
/// <param name="InterfaceName">The PF's interface, <c>eno49</c>.</param>
/// <param name="Up">Whether the link is brought up at boot (or kept down).</param>
/// <param name="Mtu">The MTU to set; <c>null</c> leaves it to the driver's default and writes none.</param>
/// <param name="HwTcOffload">The hw-tc-offload feature to set at boot; <c>null</c> leaves it to the driver. Only NetworkManager's keyfiles hold it.</param>
internal sealed record PfNetworkSettings(string InterfaceName, bool Up, int? Mtu, bool? HwTcOffload = null)
{
    /// <summary>The smallest MTU an IPv4 link may have (RFC 791); the kernel refuses less on Ethernet.</summary>
    public const int MinMtu = 68;

    /// <summary>The largest MTU the kernel's netlink attribute and the managers' files take.</summary>
    public const int MaxMtu = 65535;

    /// <summary>The settings in a few words, for -WhatIf: <c>up, no address, MTU 9000</c>.</summary>
    public string Summary =>
        $"{(Up ? "up" : "down")}, no address, {(Mtu is int mtu ? "MTU " + mtu.ToString(CultureInfo.InvariantCulture) : "the driver's default MTU")}" +
        (HwTcOffload is bool offload ? $", hw-tc-offload {(offload ? "on" : "off")}" : string.Empty);

    public static bool IsValidMtu(int mtu) => mtu is >= MinMtu and <= MaxMtu;
}
