using System.Buffers.Binary;
using System.Numerics;

namespace SriovPS.Native.Netlink;

/// <summary>Receives each reply message of a request, header included; the span is valid only during the call.</summary>
internal delegate void NetlinkReplyHandler(ReadOnlySpan<byte> message);

/// <summary>
/// A netlink socket to the kernel, for one request at a time. It belongs to the network namespace of
/// the thread that opened it, whatever thread uses it later. Extended acks are on (the kernel explains
/// its refusals), strict checking is on (a malformed GET is refused rather than half-honoured), and
/// acks echo only the request's header, so an error for a large request stays small.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int InitialReceiveBuffer = 32 * 1024;

    private readonly SafeFileDescriptor _descriptor;
    private byte[] _receiveBuffer = new byte[InitialReceiveBuffer];
    private uint _sequence;

    private NetlinkSocket(SafeFileDescriptor descriptor, uint portId, uint firstSequence)
    {
        _descriptor = descriptor;
        PortId = portId;
        _sequence = firstSequence;
    }

    /// <summary>The port id the kernel gave this socket; replies are addressed to it.</summary>
    internal uint PortId { get; }

    /// <summary>The receive buffer's size now: it grows to the largest datagram seen.</summary>
    internal int ReceiveBufferSize => _receiveBuffer.Length;

    /// <summary>How many stale messages (an earlier request's late replies) were dropped.</summary>
    internal int DiscardedMessages { get; private set; }

    /// <summary>Opens a socket for <paramref name="protocol"/> (NETLINK_ROUTE by default) in the calling thread's namespace.</summary>
    /// <param name="replyTimeout">How long one receive may wait before the request fails with ETIMEDOUT.</param>
    internal static unsafe NetlinkSocket Open(int protocol = Interop.Libc.NETLINK_ROUTE, TimeSpan? replyTimeout = null)
    {
        var descriptor = Interop.Libc.Socket(Interop.Libc.AF_NETLINK, Interop.Libc.SOCK_RAW | Interop.Libc.SOCK_CLOEXEC, protocol);
        if (descriptor.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            throw new NetlinkException(errno, "socket(AF_NETLINK)");
        }

        try
        {
            // Each only adds detail or strictness, and each is newer than some supported kernels
            // (extended acks 4.12, strict checking 4.20): without one the socket still works.
            TrySetOption(descriptor, NetlinkProtocol.NETLINK_EXT_ACK);
            TrySetOption(descriptor, NetlinkProtocol.NETLINK_CAP_ACK);
            if (protocol == Interop.Libc.NETLINK_ROUTE)
            {
                TrySetOption(descriptor, NetlinkProtocol.NETLINK_GET_STRICT_CHK);
            }

            // struct timeval { long tv_sec; long tv_usec; } on 64-bit Linux.
            long microseconds = (long)(replyTimeout ?? TimeSpan.FromSeconds(10)).TotalMicroseconds;
            long* timeout = stackalloc long[2] { microseconds / 1_000_000, microseconds % 1_000_000 };
            if (Interop.Libc.SetSockOpt(descriptor, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_RCVTIMEO, timeout, 16) != 0)
            {
                throw new NetlinkException(Marshal.GetLastPInvokeError(), "setsockopt(SO_RCVTIMEO)");
            }

            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }:
            // port id 0 asks the kernel to choose one, which getsockname then reports.
            byte* address = stackalloc byte[12];
            new Span<byte>(address, 12).Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(address, 2), Interop.Libc.AF_NETLINK);
            if (Interop.Libc.Bind(descriptor, address, 12) != 0)
            {
                throw new NetlinkException(Marshal.GetLastPInvokeError(), "bind(AF_NETLINK)");
            }

            uint length = 12;
            if (Interop.Libc.GetSockName(descriptor, address, &length) != 0)
            {
                throw new NetlinkException(Marshal.GetLastPInvokeError(), "getsockname(AF_NETLINK)");
            }

            uint portId = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(address + 4, 4));

            // Start from a value unlikely to match replies meant for an earlier socket with this port id.
            return new NetlinkSocket(descriptor, portId, (uint)Environment.TickCount64);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and hands each reply to <paramref name="onReply"/> until the
    /// request is complete: <c>NLMSG_DONE</c> for a dump, the acknowledgement otherwise (NLM_F_ACK is
    /// added to non-dump requests so every request has a definite end). Replies to other sequence
    /// numbers are dropped. When <paramref name="onReply"/> throws, the rest of the answer is still read
    /// (a dump left running would refuse the next one with EBUSY) and then the exception is rethrown.
    /// </summary>
    /// <returns><c>false</c> when the kernel flagged a dump as interrupted by a concurrent change (NLM_F_DUMP_INTR): retry it.</returns>
    /// <exception cref="NetlinkException">The kernel refused the request, or the socket failed or timed out.</exception>
    /// <exception cref="NetlinkDecodeException">A reply did not parse.</exception>
    internal bool Transact(NetlinkMessageBuilder request, NetlinkReplyHandler? onReply)
    {
        ObjectDisposedException.ThrowIf(_descriptor.IsClosed, this);
        bool dump = request.IsDump;
        string operation = request.Operation ?? RtNetlink.MessageTypeName(request.Type);
        uint sequence = unchecked(++_sequence);
        request.SetSequence(sequence, PortId);
        var message = request.Message;
        ushort flags = (ushort)(request.Flags | NetlinkProtocol.NLM_F_REQUEST | (dump ? 0 : NetlinkProtocol.NLM_F_ACK));
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], flags);

        Send(message, operation);
        bool consistent = true;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? handlerFailure = null;
        while (true)
        {
            int received = ReceiveDatagram(operation);
            var datagram = new ReadOnlySpan<byte>(_receiveBuffer, 0, received);
            while (datagram.Length >= NetlinkProtocol.HeaderLength)
            {
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(datagram);
                if (length < NetlinkProtocol.HeaderLength || length > datagram.Length)
                {
                    throw new NetlinkDecodeException($"{operation} reply: nlmsg_len {length} does not fit the {datagram.Length} bytes left.");
                }

                var reply = datagram[..(int)length];
                datagram = datagram[Math.Min(NetlinkProtocol.Align((int)length), datagram.Length)..];
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]);
                ushort replyFlags = BinaryPrimitives.ReadUInt16LittleEndian(reply[6..]);
                uint replySequence = BinaryPrimitives.ReadUInt32LittleEndian(reply[8..]);
                uint replyPort = BinaryPrimitives.ReadUInt32LittleEndian(reply[12..]);
                if (replySequence != sequence || replyPort != PortId)
                {
                    DiscardedMessages++;
                    continue;
                }

                if ((replyFlags & NetlinkProtocol.NLM_F_DUMP_INTR) != 0)
                {
                    consistent = false;
                }

                switch (type)
                {
                    case NetlinkProtocol.NLMSG_NOOP:
                        continue;
                    case NetlinkProtocol.NLMSG_OVERRUN:
                        throw new NetlinkException(Errno.ENOBUFS, operation, "the kernel reported a receive overrun");
                    case NetlinkProtocol.NLMSG_ERROR:
                    case NetlinkProtocol.NLMSG_DONE:
                        // A dump's end carries its status too: a dump can fail part way.
                        handlerFailure?.Throw();
                        ThrowIfError(reply, replyFlags, operation);
                        return consistent;
                    default:
                        if (handlerFailure is null && onReply is not null)
                        {
                            try
                            {
                                onReply(reply);
                            }
                            catch (Exception e)
                            {
                                handlerFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                            }
                        }

                        break;
                }
            }
        }
    }

    public void Dispose() => _descriptor.Dispose();

    /// <summary>
    /// The error code of an <c>NLMSG_ERROR</c> or <c>NLMSG_DONE</c>: 0 is an acknowledgement; a
    /// negative errno becomes a <see cref="NetlinkException"/> with the extended-ack text.
    /// </summary>
    internal static void ThrowIfError(ReadOnlySpan<byte> reply, ushort flags, string operation)
    {
        var payload = reply[NetlinkProtocol.HeaderLength..];
        if (payload.Length < 4)
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == NetlinkProtocol.NLMSG_DONE)
            {
                return;
            }

            throw new NetlinkDecodeException($"{operation} reply: an NLMSG_ERROR without its error code.");
        }

        int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (error == 0)
        {
            return;
        }

        string? text = null;
        int? offset = null;
        if ((flags & NetlinkProtocol.NLM_F_ACK_TLVS) != 0)
        {
            // NLMSG_ERROR echoes the request before its TLVs; NLMSG_DONE has the TLVs right after the code.
            bool isError = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == NetlinkProtocol.NLMSG_ERROR;
            var tlvs = isError ? AfterEchoedRequest(payload[4..], flags) : payload[4..];
            (text, offset) = ReadExtendedAck(tlvs, operation);
        }

        throw new NetlinkException(error == int.MinValue ? int.MaxValue : Math.Abs(error), operation, text, offset);
    }

    /// <summary>
    /// What follows the echoed request in struct nlmsgerr: its nlmsghdr, and its payload too unless
    /// NLM_F_CAPPED says it was left out.
    /// </summary>
    private static ReadOnlySpan<byte> AfterEchoedRequest(ReadOnlySpan<byte> echoed, ushort flags)
    {
        if (echoed.Length < NetlinkProtocol.HeaderLength)
        {
            return default;
        }

        int echoedLength = NetlinkProtocol.HeaderLength;
        if ((flags & NetlinkProtocol.NLM_F_CAPPED) == 0)
        {
            echoedLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(echoed), (uint)echoed.Length);
            echoedLength = Math.Max(NetlinkProtocol.Align(echoedLength), NetlinkProtocol.HeaderLength);
        }

        return echoedLength >= echoed.Length ? default : echoed[echoedLength..];
    }

    /// <summary>The extended-ack TLVs: NLMSGERR_ATTR_MSG (the text) and NLMSGERR_ATTR_OFFS.</summary>
    private static (string? Text, int? Offset) ReadExtendedAck(ReadOnlySpan<byte> tlvs, string operation)
    {
        string? text = null;
        int? offset = null;
        var reader = new NetlinkAttributeReader(tlvs, operation + " extended ack");
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == NetlinkProtocol.NLMSGERR_ATTR_MSG)
            {
                text = NetlinkAttributeReader.ReadString(value);
            }
            else if (type == NetlinkProtocol.NLMSGERR_ATTR_OFFS && value.Length >= 4)
            {
                offset = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(value), int.MaxValue);
            }
        }

        return (text, offset);
    }

    private unsafe void Send(ReadOnlySpan<byte> message, string operation)
    {
        fixed (byte* bytes = message)
        {
            while (true)
            {
                nint sent = Interop.Libc.Send(_descriptor, bytes, (nuint)message.Length, 0);
                if (sent == message.Length)
                {
                    return;
                }

                int errno = sent < 0 ? Marshal.GetLastPInvokeError() : Errno.EMSGSIZE;
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException(errno, operation + " send");
                }
            }
        }
    }

    /// <summary>
    /// Receives one datagram whole: a peek with MSG_TRUNC tells its real size first, so a reply larger
    /// than the buffer (a PF with hundreds of VFs sends more than 64 KiB) grows the buffer instead of
    /// being cut.
    /// </summary>
    private unsafe int ReceiveDatagram(string operation)
    {
        while (true)
        {
            nint size;
            fixed (byte* buffer = _receiveBuffer)
            {
                size = Interop.Libc.Recv(_descriptor, buffer, 0, Interop.Libc.MSG_PEEK | Interop.Libc.MSG_TRUNC);
            }

            if (size < 0)
            {
                ThrowReceiveError(Marshal.GetLastPInvokeError(), operation);
                continue;
            }

            if (size > _receiveBuffer.Length)
            {
                _receiveBuffer = new byte[(int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)size), int.MaxValue)];
            }

            fixed (byte* buffer = _receiveBuffer)
            {
                size = Interop.Libc.Recv(_descriptor, buffer, (nuint)_receiveBuffer.Length, 0);
            }

            if (size >= 0)
            {
                return (int)size;
            }

            ThrowReceiveError(Marshal.GetLastPInvokeError(), operation);
        }
    }

    private static void ThrowReceiveError(int errno, string operation)
    {
        switch (errno)
        {
            case Errno.EINTR:
                return;
            case Errno.EAGAIN:
                throw new NetlinkException(Errno.ETIMEDOUT, operation, "the kernel sent no reply before the socket's receive timeout");
            default:
                throw new NetlinkException(errno, operation + " receive");
        }
    }

    private static unsafe void TrySetOption(SafeFileDescriptor descriptor, int name)
    {
        int on = 1;
        _ = Interop.Libc.SetSockOpt(descriptor, NetlinkProtocol.SOL_NETLINK, name, &on, sizeof(int));
    }
}
