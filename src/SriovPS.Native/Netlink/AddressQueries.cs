using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;

namespace SriovPS.Native.Netlink;

/// <summary>One address of an interface, as <c>ip addr show</c> lists it.</summary>
/// <param name="Index">The interface's index.</param>
/// <param name="Address">The address (IFA_LOCAL when given, which is the interface's own on point-to-point links, else IFA_ADDRESS).</param>
/// <param name="PrefixLength">The prefix length, <c>24</c> of <c>192.0.2.10/24</c>.</param>
/// <param name="Scope">ifa_scope: <see cref="AddressQueries.RT_SCOPE_UNIVERSE"/>, site, <see cref="AddressQueries.RT_SCOPE_LINK"/> or host.</param>
internal sealed record InterfaceAddress(int Index, IPAddress Address, byte PrefixLength, byte Scope)
{
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>
/// <c>RTM_GETADDR</c>: the addresses of one interface (<c>ip addr show dev eno49</c>), from a dump of
/// <c>struct ifaddrmsg</c> messages (include/uapi/linux/if_addr.h), filtered to the interface here too,
/// since kernels before 4.20 or without strict checking return every interface's addresses.
/// </summary>
internal static class AddressQueries
{
    internal const ushort RTM_NEWADDR = 20;
    internal const ushort RTM_GETADDR = 22;

    /// <summary>sizeof(struct ifaddrmsg): family, prefixlen, flags, scope, index.</summary>
    internal const int AddressMessageLength = 8;

    // enum rt_scope_t (include/uapi/linux/rtnetlink.h).
    internal const byte RT_SCOPE_UNIVERSE = 0;
    internal const byte RT_SCOPE_LINK = 253;

    // IFA_* attributes (include/uapi/linux/if_addr.h).
    internal const ushort IFA_ADDRESS = 1;
    internal const ushort IFA_LOCAL = 2;

    private const byte AF_INET = 2;
    private const byte AF_INET6 = 10;

    /// <summary>RTM_GETADDR dump for every family, asking for <paramref name="index"/> only (honoured under strict checking).</summary>
    internal static NetlinkMessageBuilder BuildDump(int index)
    {
        var request = NetlinkMessageBuilder.ForDump(RTM_GETADDR);
        request.AppendAddressInfo(index);
        return request;
    }

    /// <summary>The addresses of interface <paramref name="index"/>.</summary>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    /// <exception cref="NetlinkDecodeException">A reply was malformed.</exception>
    internal static List<InterfaceAddress> Dump(NetlinkSocket socket, int index)
    {
        var addresses = new List<InterfaceAddress>();
        socket.Transact(BuildDump(index), reply =>
        {
            if (Decode(reply) is { } address && address.Index == index)
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }

    /// <summary>Decodes one RTM_NEWADDR message, header included; <c>null</c> for a family other than IPv4 and IPv6.</summary>
    /// <exception cref="NetlinkDecodeException">The bytes are not a whole RTM_NEWADDR message.</exception>
    internal static InterfaceAddress? Decode(ReadOnlySpan<byte> message)
    {
        const int fixedLength = NetlinkProtocol.HeaderLength + AddressMessageLength;
        if (message.Length < fixedLength)
        {
            throw new NetlinkDecodeException($"RTM_NEWADDR: {message.Length} bytes is shorter than its {fixedLength}-byte headers.");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (length < fixedLength || length > message.Length)
        {
            throw new NetlinkDecodeException($"RTM_NEWADDR: nlmsg_len {length} does not fit the {message.Length} bytes received.");
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        if (type != RTM_NEWADDR)
        {
            throw new NetlinkDecodeException($"Expected RTM_NEWADDR, got message type {type}.");
        }

        message = message[..(int)length];
        var info = message.Slice(NetlinkProtocol.HeaderLength, AddressMessageLength);
        byte family = info[0];
        int addressLength = family switch { AF_INET => 4, AF_INET6 => 16, _ => 0 };
        if (addressLength == 0)
        {
            return null;
        }

        byte prefix = info[1];
        byte scope = info[3];
        int index = BinaryPrimitives.ReadInt32LittleEndian(info[4..]);
        byte[]? local = null, address = null;
        var reader = new NetlinkAttributeReader(message[fixedLength..], "RTM_NEWADDR");
        while (reader.TryRead(out ushort attribute, out var payload))
        {
            if (attribute is IFA_LOCAL or IFA_ADDRESS)
            {
                reader.Require(payload, addressLength, attribute);
                var bytes = payload[..addressLength].ToArray();
                if (attribute == IFA_LOCAL)
                {
                    local ??= bytes;
                }
                else
                {
                    address ??= bytes;
                }
            }
        }

        var chosen = local ?? address ?? throw new NetlinkDecodeException($"RTM_NEWADDR for ifindex {index} carries no address.");
        return new InterfaceAddress(index, new IPAddress(chosen), prefix, scope);
    }
}
