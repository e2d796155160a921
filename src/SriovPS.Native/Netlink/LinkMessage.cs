using System.Buffers.Binary;
using System.Collections.Generic;

namespace SriovPS.Native.Netlink;

/// <summary>
/// Decodes <c>RTM_NEWLINK</c> messages (the kernel's answer to <c>RTM_GETLINK</c>): <c>ifinfomsg</c>,
/// the interface attributes the module uses, and the VF list with every IFLA_VF_* attribute.
/// Whatever the bytes, a decode returns or throws <see cref="NetlinkDecodeException"/>.
/// </summary>
internal static class LinkMessage
{
    // ARPHRD_ETHER (include/uapi/linux/if_arp.h).
    private const ushort ArphrdEther = 1;
    private const int EthernetAddressLength = 6;

    // The kernel's "driver did not say" for the VF on/off settings: the -1 it starts from.
    private const uint NotReported = uint.MaxValue;

    /// <summary>Decodes one whole message, header included.</summary>
    internal static LinkInfo Decode(ReadOnlySpan<byte> message)
    {
        const int fixedLength = NetlinkProtocol.HeaderLength + IfLink.InfoMessageLength;
        if (message.Length < fixedLength)
        {
            throw new NetlinkDecodeException($"RTM_NEWLINK: {message.Length} bytes is shorter than its {fixedLength}-byte headers.");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (length < fixedLength || length > message.Length)
        {
            throw new NetlinkDecodeException($"RTM_NEWLINK: nlmsg_len {length} does not fit the {message.Length} bytes received.");
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        if (type != RtNetlink.RTM_NEWLINK)
        {
            throw new NetlinkDecodeException($"Expected RTM_NEWLINK, got message type {type}.");
        }

        message = message[..(int)length];
        var info = message.Slice(NetlinkProtocol.HeaderLength, IfLink.InfoMessageLength);
        ushort deviceType = BinaryPrimitives.ReadUInt16LittleEndian(info[2..]);
        int index = BinaryPrimitives.ReadInt32LittleEndian(info[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(info[8..]);

        string? name = null;
        byte[]? address = null, broadcast = null, permanent = null;
        uint? mtu = null;
        byte? operState = null;
        int? link = null, numVfs = null;
        bool hasVfList = false, truncated = false;
        List<VfInfo>? vfs = null;

        var reader = new NetlinkAttributeReader(message[fixedLength..], "RTM_NEWLINK");
        while (reader.TryRead(out ushort attribute, out var payload))
        {
            switch (attribute)
            {
                case IfLink.IFLA_IFNAME when name is null:
                    name = NetlinkAttributeReader.ReadString(payload);
                    break;
                case IfLink.IFLA_ADDRESS when address is null:
                    address = ReadAddress(payload, attribute);
                    break;
                case IfLink.IFLA_BROADCAST when broadcast is null:
                    broadcast = ReadAddress(payload, attribute);
                    break;
                case IfLink.IFLA_PERM_ADDRESS when permanent is null:
                    permanent = ReadAddress(payload, attribute);
                    break;
                case IfLink.IFLA_MTU when mtu is null:
                    mtu = reader.ReadUInt32(payload, attribute);
                    break;
                case IfLink.IFLA_OPERSTATE when operState is null:
                    operState = reader.ReadByte(payload, attribute);
                    break;
                case IfLink.IFLA_LINK when link is null:
                    link = (int)reader.ReadUInt32(payload, attribute);
                    break;
                case IfLink.IFLA_NUM_VF when numVfs is null:
                    numVfs = ToIndex(reader.ReadUInt32(payload, attribute), "IFLA_NUM_VF");
                    break;
                case IfLink.IFLA_VFINFO_LIST when !hasVfList:
                    // The kernel sends the address first; without one, Ethernet's length is the only sensible cut.
                    hasVfList = true;
                    int addressLength = address?.Length ?? (deviceType == ArphrdEther ? EthernetAddressLength : IfLink.VfAddressCapacity);
                    vfs = DecodeVfList(payload, numVfs, addressLength, out bool cut);

                    // A wrapped length that happens to end between two entries leaves the next entry
                    // where a top-level attribute should be; its type (1) is IFLA_ADDRESS, already read.
                    truncated = cut || (numVfs > vfs.Count && address is not null && reader.PeekType == IfLink.IFLA_VF_INFO);
                    if (truncated)
                    {
                        // Nothing after the overflowed list can be located.
                        goto done;
                    }

                    break;
            }
        }

    done:
        return new LinkInfo
        {
            Index = index,
            DeviceType = deviceType,
            Flags = flags,
            Name = name,
            Address = address,
            Broadcast = broadcast,
            PermanentAddress = permanent,
            Mtu = mtu,
            OperState = operState,
            Link = link,
            NumVfs = numVfs,
            HasVfList = hasVfList,
            VfListTruncated = truncated,
            Vfs = (IReadOnlyList<VfInfo>?)vfs ?? Array.Empty<VfInfo>(),
        };
    }

    /// <summary>
    /// The entries of IFLA_VFINFO_LIST. When IFLA_NUM_VF promises more VFs than were read, an entry
    /// cut short by the list's end is the kernel's length overflow, not corruption: the entries before
    /// it are kept and <paramref name="cut"/> says so. Any other malformation is a decode error.
    /// </summary>
    private static List<VfInfo> DecodeVfList(ReadOnlySpan<byte> list, int? numVfs, int addressLength, out bool cut)
    {
        var vfs = new List<VfInfo>(Math.Clamp(numVfs ?? 0, 0, 1024));
        var reader = new NetlinkAttributeReader(list, "IFLA_VFINFO_LIST");
        cut = false;
        while (true)
        {
            if (reader.NextIsCut && numVfs > vfs.Count)
            {
                cut = true;
                break;
            }

            if (!reader.TryRead(out ushort type, out var entry))
            {
                break;
            }

            if (type == IfLink.IFLA_VF_INFO)
            {
                vfs.Add(DecodeVf(entry, addressLength));
            }
        }

        return vfs;
    }

    private static VfInfo DecodeVf(ReadOnlySpan<byte> entry, int addressLength)
    {
        var vf = new VfInfo { Index = -1 };
        var reader = new NetlinkAttributeReader(entry, "IFLA_VF_INFO");
        while (reader.TryRead(out ushort type, out var payload))
        {
            switch (type)
            {
                case IfLink.IFLA_VF_MAC:
                    reader.Require(payload, IfLink.VfMacLength, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    vf.MacAddress = payload.Slice(4, addressLength).ToArray();
                    break;
                case IfLink.IFLA_VF_BROADCAST:
                    reader.Require(payload, IfLink.VfAddressCapacity, type);
                    vf.Broadcast = payload[..addressLength].ToArray();
                    break;
                case IfLink.IFLA_VF_VLAN:
                    reader.Require(payload, IfLink.VfVlanLength, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    vf.Vlan = reader.ReadUInt32(payload, type, 4);
                    vf.Qos = reader.ReadUInt32(payload, type, 8);
                    break;
                case IfLink.IFLA_VF_TX_RATE:
                    reader.Require(payload, IfLink.VfTxRateLength, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    vf.TxRate = reader.ReadUInt32(payload, type, 4);
                    break;
                case IfLink.IFLA_VF_RATE:
                    reader.Require(payload, IfLink.VfRateLength, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    vf.MinTxRate = reader.ReadUInt32(payload, type, 4);
                    vf.MaxTxRate = reader.ReadUInt32(payload, type, 8);
                    break;
                case IfLink.IFLA_VF_SPOOFCHK:
                    vf.SpoofCheck = ReadSetting(ref reader, vf, payload, type);
                    break;
                case IfLink.IFLA_VF_TRUST:
                    vf.Trust = ReadSetting(ref reader, vf, payload, type);
                    break;
                case IfLink.IFLA_VF_RSS_QUERY_EN:
                    vf.RssQuery = ReadSetting(ref reader, vf, payload, type);
                    break;
                case IfLink.IFLA_VF_LINK_STATE:
                    reader.Require(payload, IfLink.VfSettingLength, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    vf.LinkState = reader.ReadUInt32(payload, type, 4);
                    break;
                case IfLink.IFLA_VF_IB_NODE_GUID:
                case IfLink.IFLA_VF_IB_PORT_GUID:
                    // struct ifla_vf_guid { __u32 vf; __u64 guid; }: the guid sits at offset 8.
                    reader.Require(payload, 16, type);
                    SetIndex(vf, reader.ReadUInt32(payload, type));
                    ulong guid = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
                    if (type == IfLink.IFLA_VF_IB_NODE_GUID)
                    {
                        vf.NodeGuid = guid;
                    }
                    else
                    {
                        vf.PortGuid = guid;
                    }

                    break;
                case IfLink.IFLA_VF_VLAN_LIST:
                    DecodeVlanList(vf, payload);
                    break;
                case IfLink.IFLA_VF_STATS:
                    vf.Statistics = DecodeStatistics(payload);
                    break;
            }
        }

        if (vf.Index < 0)
        {
            throw new NetlinkDecodeException("IFLA_VF_INFO: an entry without any attribute that names its VF.");
        }

        return vf;
    }

    /// <summary>The kernel sends one IFLA_VF_VLAN_INFO; its protocol is what tells 802.1ad from 802.1Q.</summary>
    private static void DecodeVlanList(VfInfo vf, ReadOnlySpan<byte> list)
    {
        var reader = new NetlinkAttributeReader(list, "IFLA_VF_VLAN_LIST");
        while (reader.TryRead(out ushort type, out var payload))
        {
            if (type != IfLink.IFLA_VF_VLAN_INFO || vf.VlanProtocol is not null)
            {
                continue;
            }

            // struct ifla_vf_vlan_info: the __be16 protocol follows three __u32.
            reader.Require(payload, 14, type);
            SetIndex(vf, reader.ReadUInt32(payload, type));
            vf.Vlan ??= reader.ReadUInt32(payload, type, 4);
            vf.Qos ??= reader.ReadUInt32(payload, type, 8);
            vf.VlanProtocol = BinaryPrimitives.ReadUInt16BigEndian(payload[12..]);
        }
    }

    private static VfStatistics DecodeStatistics(ReadOnlySpan<byte> nest)
    {
        var statistics = new VfStatistics();
        var reader = new NetlinkAttributeReader(nest, "IFLA_VF_STATS");
        while (reader.TryRead(out ushort type, out var payload))
        {
            switch (type)
            {
                case IfLink.IFLA_VF_STATS_RX_PACKETS: statistics.RxPackets = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_TX_PACKETS: statistics.TxPackets = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_RX_BYTES: statistics.RxBytes = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_TX_BYTES: statistics.TxBytes = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_BROADCAST: statistics.Broadcast = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_MULTICAST: statistics.Multicast = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_RX_DROPPED: statistics.RxDropped = reader.ReadUInt64(payload, type); break;
                case IfLink.IFLA_VF_STATS_TX_DROPPED: statistics.TxDropped = reader.ReadUInt64(payload, type); break;
                // IFLA_VF_STATS_PAD only aligns the next counter.
            }
        }

        return statistics;
    }

    private static bool? ReadSetting(ref NetlinkAttributeReader reader, VfInfo vf, ReadOnlySpan<byte> payload, ushort type)
    {
        reader.Require(payload, IfLink.VfSettingLength, type);
        SetIndex(vf, reader.ReadUInt32(payload, type));
        uint setting = reader.ReadUInt32(payload, type, 4);
        return setting == NotReported ? null : setting != 0;
    }

    private static void SetIndex(VfInfo vf, uint field)
    {
        int index = ToIndex(field, "IFLA_VF_INFO");
        if (vf.Index >= 0 && vf.Index != index)
        {
            throw new NetlinkDecodeException($"IFLA_VF_INFO: attributes name both VF {vf.Index} and VF {index}.");
        }

        vf.Index = index;
    }

    private static int ToIndex(uint value, string context) =>
        value <= int.MaxValue ? (int)value : throw new NetlinkDecodeException($"{context}: VF number {value} is out of range.");

    private static byte[] ReadAddress(ReadOnlySpan<byte> payload, ushort type) =>
        payload.Length <= IfLink.VfAddressCapacity
            ? payload.ToArray()
            : throw new NetlinkDecodeException($"RTM_NEWLINK: attribute {type} holds a {payload.Length}-byte address; at most {IfLink.VfAddressCapacity} exist.");
}
