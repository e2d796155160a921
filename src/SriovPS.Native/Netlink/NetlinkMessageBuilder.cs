using System.Buffers.Binary;
using System.Text;

namespace SriovPS.Native.Netlink;

/// <summary>
/// Builds one netlink message: the <c>nlmsghdr</c>, a fixed family header, then attributes, each
/// padded to 4 bytes, nests closed with their final length. The socket stamps the sequence number
/// and port id when it sends.
/// </summary>
internal sealed class NetlinkMessageBuilder
{
    private byte[] _buffer;
    private int _length;

    internal NetlinkMessageBuilder(ushort type, ushort flags, int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, NetlinkProtocol.HeaderLength)];
        _length = NetlinkProtocol.HeaderLength;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
    }

    internal ushort Type => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(4));

    internal ushort Flags => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(6));

    /// <summary>
    /// Whether this is a GET dump, answered with many messages and NLMSG_DONE. Said by whoever builds
    /// the request: the same flag bits mean NLM_F_REPLACE|NLM_F_EXCL in a NEW request.
    /// </summary>
    internal bool IsDump { get; private init; }

    /// <summary>
    /// The request's name in errors (<c>DEVLINK_CMD_ESWITCH_SET</c>). Generic netlink types are
    /// family ids the kernel assigns at run time, so the type alone cannot name the request.
    /// </summary>
    internal string? Operation { get; init; }

    /// <summary>A GET request for every object of its type (NLM_F_DUMP).</summary>
    internal static NetlinkMessageBuilder ForDump(ushort type, int capacity = 64) =>
        new(type, NetlinkProtocol.NLM_F_REQUEST | NetlinkProtocol.NLM_F_DUMP, capacity) { IsDump = true };

    internal int Length => _length;

    /// <summary>The finished message, its <c>nlmsg_len</c> set. Valid until the builder changes.</summary>
    internal Span<byte> Message
    {
        get
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
            return _buffer.AsSpan(0, _length);
        }
    }

    internal void SetSequence(uint sequence, uint portId)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(12), portId);
    }

    /// <summary><c>struct ifinfomsg</c> (include/uapi/linux/rtnetlink.h): family, pad, type, index, flags, change.</summary>
    internal void AppendInterfaceInfo(int index, uint flags = 0, uint change = 0, ushort deviceType = 0, byte family = RtNetlink.AF_UNSPEC)
    {
        var info = Reserve(IfLink.InfoMessageLength);
        info[0] = family;
        BinaryPrimitives.WriteUInt16LittleEndian(info[2..], deviceType);
        BinaryPrimitives.WriteInt32LittleEndian(info[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(info[12..], change);
    }

    /// <summary>
    /// <c>struct genlmsghdr</c> (include/uapi/linux/genetlink.h): cmd, version, reserved. Generic
    /// netlink's fixed header, which follows the nlmsghdr as ifinfomsg does for links.
    /// </summary>
    internal void AppendGenericHeader(byte command, byte version)
    {
        var header = Reserve(GenericNetlink.HeaderLength);
        header[0] = command;
        header[1] = version;
    }

    /// <summary><c>struct ifaddrmsg</c> (include/uapi/linux/if_addr.h): family, prefixlen, flags, scope, index.</summary>
    internal void AppendAddressInfo(int index, byte family = RtNetlink.AF_UNSPEC)
    {
        var info = Reserve(AddressQueries.AddressMessageLength);
        info[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(info[4..], index);
    }

    /// <summary>Adds an attribute and returns its zeroed payload to fill in.</summary>
    internal Span<byte> AppendAttribute(ushort type, int payloadLength)
    {
        int total = NetlinkProtocol.AttributeHeaderLength + payloadLength;
        if (total > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), "A netlink attribute holds at most 65531 bytes.");
        }

        var attribute = Reserve(NetlinkProtocol.Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(attribute[2..], type);
        return attribute.Slice(NetlinkProtocol.AttributeHeaderLength, payloadLength);
    }

    internal void AppendUInt16(ushort type, ushort value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(AppendAttribute(type, 2), value);

    internal void AppendUInt32(ushort type, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(AppendAttribute(type, 4), value);

    internal void AppendUInt64(ushort type, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(AppendAttribute(type, 8), value);

    internal void AppendByte(ushort type, byte value) => AppendAttribute(type, 1)[0] = value;

    internal void Append(ushort type, ReadOnlySpan<byte> payload) => payload.CopyTo(AppendAttribute(type, payload.Length));

    /// <summary>A NUL-terminated string attribute (NLA_NUL_STRING), as IFLA_IFNAME is.</summary>
    internal void AppendString(ushort type, string value)
    {
        var payload = AppendAttribute(type, Encoding.UTF8.GetByteCount(value) + 1);
        Encoding.UTF8.GetBytes(value, payload);
    }

    /// <summary>
    /// Opens a nested attribute. The type goes out without NLA_F_NESTED, as the kernel's own replies
    /// and iproute2 send IFLA_VFINFO_LIST; the kernel parses these nests leniently either way.
    /// </summary>
    internal int BeginNested(ushort type)
    {
        int start = _length;
        AppendAttribute(type, 0);
        return start;
    }

    internal void EndNested(int start)
    {
        int length = _length - start;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"A nested attribute of {length} bytes overflows the 16-bit netlink length.");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)length);
    }

    private Span<byte> Reserve(int length)
    {
        if (_length + length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + length));
        }

        var span = _buffer.AsSpan(_length, length);
        span.Clear();
        _length += length;
        return span;
    }
}
