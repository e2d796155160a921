using System.Buffers.Binary;
using System.Text;

namespace SriovPS.Native.Netlink;

/// <summary>
/// Walks a run of netlink attributes (<c>struct rtattr</c>/<c>nlattr</c>: u16 length including the
/// 4-byte header, u16 type, payload padded to 4 bytes). Every length is checked against what remains,
/// so hostile bytes end in <see cref="NetlinkDecodeException"/>, never an out-of-range read, and each
/// step consumes at least 4 bytes, so a walk always ends.
/// </summary>
internal ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;
    private readonly string _context;

    internal NetlinkAttributeReader(ReadOnlySpan<byte> attributes, string context)
    {
        _remaining = attributes;
        _context = context;
    }

    /// <summary>The bytes not yet read.</summary>
    internal readonly ReadOnlySpan<byte> Remaining => _remaining;

    /// <summary>Whether the next attribute is cut by the end of the bytes: a header or a length that does not fit.</summary>
    internal readonly bool NextIsCut =>
        !_remaining.IsEmpty
        && (_remaining.Length < NetlinkProtocol.AttributeHeaderLength
            || BinaryPrimitives.ReadUInt16LittleEndian(_remaining) > _remaining.Length);

    /// <summary>The type of the next attribute, without reading it; <c>null</c> at the end or where no header fits.</summary>
    internal readonly ushort? PeekType =>
        _remaining.Length >= NetlinkProtocol.AttributeHeaderLength
            ? (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]) & NetlinkProtocol.NLA_TYPE_MASK)
            : null;

    /// <summary>The next attribute: its type without the NESTED/NET_BYTEORDER flags, and its payload.</summary>
    internal bool TryRead(out ushort type, out ReadOnlySpan<byte> payload)
    {
        if (_remaining.IsEmpty)
        {
            type = 0;
            payload = default;
            return false;
        }

        if (_remaining.Length < NetlinkProtocol.AttributeHeaderLength)
        {
            throw new NetlinkDecodeException($"{_context}: {_remaining.Length} stray bytes where an attribute header was expected.");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        if (length < NetlinkProtocol.AttributeHeaderLength || length > _remaining.Length)
        {
            throw new NetlinkDecodeException(
                $"{_context}: an attribute claims {length} bytes where {_remaining.Length} remain.");
        }

        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]) & NetlinkProtocol.NLA_TYPE_MASK);
        payload = _remaining[NetlinkProtocol.AttributeHeaderLength..length];

        // The last attribute of a message may come without its padding.
        _remaining = _remaining[Math.Min(NetlinkProtocol.Align(length), _remaining.Length)..];
        return true;
    }

    /// <summary>A NUL-terminated string attribute (NLA_NUL_STRING); a missing terminator ends at the payload's end.</summary>
    internal static string ReadString(ReadOnlySpan<byte> payload)
    {
        int end = payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? payload[..end] : payload);
    }

    internal readonly ushort ReadUInt16(ReadOnlySpan<byte> payload, ushort type)
    {
        Require(payload, 2, type);
        return BinaryPrimitives.ReadUInt16LittleEndian(payload);
    }

    internal readonly uint ReadUInt32(ReadOnlySpan<byte> payload, ushort type, int offset = 0)
    {
        Require(payload, offset + 4, type);
        return BinaryPrimitives.ReadUInt32LittleEndian(payload[offset..]);
    }

    internal readonly ulong ReadUInt64(ReadOnlySpan<byte> payload, ushort type)
    {
        Require(payload, 8, type);
        return BinaryPrimitives.ReadUInt64LittleEndian(payload);
    }

    internal readonly byte ReadByte(ReadOnlySpan<byte> payload, ushort type)
    {
        Require(payload, 1, type);
        return payload[0];
    }

    /// <summary>Fails the decode when an attribute is shorter than the struct it must hold.</summary>
    internal readonly void Require(ReadOnlySpan<byte> payload, int length, ushort type)
    {
        if (payload.Length < length)
        {
            throw new NetlinkDecodeException(
                $"{_context}: attribute {type} holds {payload.Length} bytes, fewer than the {length} its struct needs.");
        }
    }
}
