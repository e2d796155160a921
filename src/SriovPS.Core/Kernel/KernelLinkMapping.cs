using SriovPS.Native.Netlink;

namespace SriovPS.Kernel;

/// <summary>What the kernel's link and VF attributes mean as properties of the module's objects.</summary>
internal static class KernelLinkMapping
{
    /// <summary>A hardware address as iproute2 prints it: lowercase hex pairs joined by colons.</summary>
    internal static string? FormatAddress(byte[]? address)
    {
        if (address is null)
        {
            return null;
        }

        return string.Create(Math.Max(address.Length * 3 - 1, 0), address, static (chars, bytes) =>
        {
            const string digits = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                if (i > 0)
                {
                    chars[(i * 3) - 1] = ':';
                }

                chars[i * 3] = digits[bytes[i] >> 4];
                chars[(i * 3) + 1] = digits[bytes[i] & 0xf];
            }
        });
    }

    /// <summary>
    /// A VF object from what sysfs says of the function (<paramref name="name"/>, <paramref name="driver"/>,
    /// <paramref name="iommuGroup"/>) and what the PF's driver reports for it (<paramref name="kernel"/>;
    /// <c>null</c> leaves every setting empty).
    /// </summary>
    internal static SriovVf CreateVf(
        string pfPciAddress, string pciAddress, string? pfName, int index, VfInfo? kernel,
        string? name = null, string? driver = null, int? iommuGroup = null, string? vfioDevice = null) => new(pfPciAddress, pciAddress)
    {
        PfName = pfName,
        Index = index,
        Name = name,
        Driver = driver,
        IommuGroup = iommuGroup,
        VfioDevice = vfioDevice,
        MacAddress = FormatAddress(kernel?.MacAddress),
        Vlan = ToInt(kernel?.Vlan),
        Qos = ToInt(kernel?.Qos),
        VlanProtocol = kernel is null ? null : ToVlanProtocol(kernel),
        SpoofCheck = kernel?.SpoofCheck,
        Trust = kernel?.Trust,
        LinkState = ToVfLinkState(kernel?.LinkState),
        MinTxRate = ToInt(kernel?.MinTxRate),
        MaxTxRate = ToInt(kernel?.MaxTxRate ?? kernel?.TxRate),
        Statistics = ToStatistics(kernel?.Statistics),
    };

    /// <summary>IF_OPER_* and <see cref="LinkState"/> share RFC 2863's numbering.</summary>
    internal static LinkState? ToLinkState(byte? operState) => operState switch
    {
        null => null,
        <= (byte)LinkState.Up => (LinkState)operState.Value,
        _ => LinkState.Unknown,
    };

    internal static VfLinkState? ToVfLinkState(uint? state) => state switch
    {
        IfLink.IFLA_VF_LINK_STATE_AUTO => VfLinkState.Auto,
        IfLink.IFLA_VF_LINK_STATE_ENABLE => VfLinkState.Enable,
        IfLink.IFLA_VF_LINK_STATE_DISABLE => VfLinkState.Disable,
        _ => null,
    };

    /// <summary>
    /// The tag protocol of a VF's VLAN; <c>null</c> without a VLAN. Drivers that keep no protocol
    /// (netdevsim) report 0, which the kernel treats as its default, 802.1Q.
    /// </summary>
    internal static string? ToVlanProtocol(VfInfo vf) =>
        vf.Vlan is null or 0 ? null
        : vf.VlanProtocol == IfLink.EthP8021AD ? "802.1ad"
        : "802.1Q";

    internal static int? ToInt(uint? value) => value is uint v ? (int)Math.Min(v, int.MaxValue) : null;

    internal static SriovVfStatistics? ToStatistics(VfStatistics? counters) => counters is null ? null : new SriovVfStatistics
    {
        RxPackets = counters.RxPackets,
        TxPackets = counters.TxPackets,
        RxBytes = counters.RxBytes,
        TxBytes = counters.TxBytes,
        Broadcast = counters.Broadcast,
        Multicast = counters.Multicast,
        RxDropped = counters.RxDropped,
        TxDropped = counters.TxDropped,
    };
}
