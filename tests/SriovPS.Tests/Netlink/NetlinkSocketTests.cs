using System;
using System.Buffers.Binary;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SriovPS.Native;
using SriovPS.Native.Netlink;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Our socket and codec against the real kernel, inside a private network namespace (root only;
/// skipped with the reason otherwise): every answer is compared with iproute2's.
/// </summary>
public sealed partial class NetlinkSocketTests
{
    private static readonly uint AllLinks = LinkQueries.ExtMask(vfs: false, statistics: false);

    [SkippableFact]
    public void Dump_InPrivateNamespace_MatchesIpLinkShowForEveryLink()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            CreateTestLinks();
            using var socket = NetlinkSocket.Open();
            var ours = LinkQueries.Dump(socket, AllLinks);
            var theirs = IpCommand.Links().EnumerateArray().ToList();

            Assert.Equal(theirs.Count, ours.Count);
            Assert.Equal(
                theirs.Select(Describe).Order(StringComparer.Ordinal),
                ours.Select(Describe).Order(StringComparer.Ordinal));
            Assert.Contains(ours, link => link.Name == "sriovps-v0" && link.Mtu == 9000 && IpLinkExpectations.Mac(link.Address) == "02:53:52:00:00:01");
        });
    }

    [SkippableFact]
    public void Get_ByNameAndByIndex_MatchesIpLinkShowDev()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            CreateTestLinks();
            using var socket = NetlinkSocket.Open();
            foreach (var expected in IpCommand.Links().EnumerateArray())
            {
                string name = expected.GetProperty("ifname").GetString()!;
                int index = expected.GetProperty("ifindex").GetInt32();
                Assert.Equal(Describe(expected), Describe(LinkQueries.Get(socket, name, AllLinks)));
                Assert.Equal(Describe(expected), Describe(LinkQueries.Get(socket, index, AllLinks)));
            }
        });
    }

    [SkippableFact]
    public void Dump_OfDummyLink_MatchesIpLinkShow()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        Skip.IfNot(PrivateNetworkNamespace.SupportsLinkKind("dummy"), "this kernel has no dummy links (CONFIG_DUMMY); the lab runs this test on its kernel");
        DummyLinkMatchesIpLinkShow();
    }

    /// <summary>A dummy link with its own address and MTU, read by name and in a dump, as ip reads it.</summary>
    internal static void DummyLinkMatchesIpLinkShow() => PrivateNetworkNamespace.Run(() =>
    {
        IpCommand.Run("link", "add", "sriovps-d0", "address", "02:53:52:00:00:0d", "mtu", "1280", "type", "dummy");
        IpCommand.Run("link", "set", "sriovps-d0", "up");
        using var socket = NetlinkSocket.Open();
        var ours = LinkQueries.Get(socket, "sriovps-d0", AllLinks);
        Assert.Equal(Describe(IpCommand.Links(device: "sriovps-d0")[0]), Describe(ours));
        Assert.Equal(1280u, ours.Mtu);
        Assert.Contains(LinkQueries.Dump(socket, AllLinks), link => Describe(link) == Describe(ours));
    });

    [SkippableFact]
    public void Socket_SeesOnlyTheNamespaceItWasCreatedIn_WhicheverThreadUsesIt()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        using var hostSocket = NetlinkSocket.Open();
        var (privateSocket, privateNames) = PrivateNetworkNamespace.Run(() =>
        {
            CreateTestLinks();
            var names = IpCommand.Links().EnumerateArray().Select(link => link.GetProperty("ifname").GetString()!).ToList();
            return (NetlinkSocket.Open(), names);
        });

        using (privateSocket)
        {
            // The thread that made the namespace is gone; the socket still answers for it.
            var seen = LinkQueries.Dump(privateSocket, AllLinks).Select(link => link.Name!).ToList();
            Assert.Equal(privateNames.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
            Assert.DoesNotContain(LinkQueries.Dump(hostSocket, AllLinks), link => link.Name == "sriovps-v0");
        }
    }

    [SkippableFact]
    public void Get_UnknownInterface_ThrowsNetlinkExceptionWithEnodev()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            using var socket = NetlinkSocket.Open();
            var error = Assert.Throws<NetlinkException>(() => LinkQueries.Get(socket, "sriovps-none", AllLinks));
            Assert.Equal(Errno.ENODEV, error.Errno);
            Assert.Equal("RTM_GETLINK", error.Operation);
        });
    }

    [SkippableFact]
    public void StrictChecking_RefusesMalformedGet_WithTheKernelsExtendedAckText()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            using var socket = NetlinkSocket.Open();

            // ifi_change may not be set in a GET; strict checking makes the kernel say so.
            var request = new NetlinkMessageBuilder(RtNetlink.RTM_GETLINK, NetlinkProtocol.NLM_F_REQUEST);
            request.AppendInterfaceInfo(1, flags: 0, change: 1);
            var error = Assert.Throws<NetlinkException>(() => socket.Transact(request, null));

            Assert.Equal(Errno.EINVAL, error.Errno);
            Assert.False(string.IsNullOrEmpty(error.ExtendedAck), "the kernel's extended ack text");
            Assert.Contains("header", error.ExtendedAck, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(error.ExtendedAck!, error.Message, StringComparison.Ordinal);
        });
    }

    [SkippableFact]
    public void Dump_WhenTheHandlerFails_ReadsTheDumpToItsEndSoTheNextDumpWorks()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            CreateTestLinks();
            using var socket = NetlinkSocket.Open();
            int handled = 0;
            var failure = Assert.Throws<NetlinkDecodeException>(() => socket.Transact(
                LinkQueries.BuildDump(AllLinks),
                _ =>
                {
                    handled++;
                    throw new NetlinkDecodeException("refused by the test");
                }));

            Assert.Equal("refused by the test", failure.Message);
            Assert.Equal(1, handled);
            Assert.Equal(IpCommand.Links().GetArrayLength(), LinkQueries.Dump(socket, AllLinks).Count);
        });
    }

    [SkippableFact]
    public void Transact_DropsMessagesWithAnotherSequenceNumber()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            using var socket = NetlinkSocket.Open();
            using var forger = Interop.Libc.Socket(Interop.Libc.AF_NETLINK, Interop.Libc.SOCK_RAW | Interop.Libc.SOCK_CLOEXEC, Interop.Libc.NETLINK_ROUTE);
            Assert.False(forger.IsInvalid);

            // A well-formed RTM_NEWLINK for a made-up interface, addressed to our port with a
            // sequence number we never used: only root may send to another socket, as here.
            var forged = LinkMessageEncoder.Encode(new LinkInfo { Index = 4242, Name = "forged0", Mtu = 1500 });
            forged.SetSequence(sequence: 7, portId: socket.PortId);
            SendTo(forger, socket.PortId, forged.Message);

            var link = LinkQueries.Get(socket, "lo", AllLinks);

            Assert.Equal("lo", link.Name);
            Assert.Equal(1, socket.DiscardedMessages);
        });
    }

    [SkippableFact]
    public void Transact_ReplyLargerThanTheBuffer_GrowsTheBufferInsteadOfTruncating()
    {
        PrivateNetworkNamespace.SkipUnlessAvailable();
        PrivateNetworkNamespace.Run(() =>
        {
            IpCommand.Run("link", "add", "sriovps-v0", "type", "veth", "peer", "name", "sriovps-v1");

            // Alternative names (up to 127 bytes each) make one RTM_NEWLINK larger than 32 KiB,
            // the socket's first buffer: a single datagram the kernel will not split.
            var batch = new StringBuilder();
            for (int i = 0; i < 300; i++)
            {
                batch.Append("link property add dev sriovps-v0 altname ").Append('a', 100).Append(i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }

            var (exitCode, _, error) = IpCommand.TryRunWithInput(batch.ToString(), "-batch", "-");
            Skip.If(exitCode != 0, "this kernel or iproute2 does not take 300 alternative names: " + error.Trim());

            using var socket = NetlinkSocket.Open();
            int before = socket.ReceiveBufferSize;
            var link = LinkQueries.Get(socket, "sriovps-v0", AllLinks);

            Assert.Equal("sriovps-v0", link.Name);
            Assert.True(socket.ReceiveBufferSize > before, $"buffer still {socket.ReceiveBufferSize} bytes");
            Assert.True(socket.ReceiveBufferSize > 32 * 1024);
        });
    }

    /// <summary>veth pair, bridge and ifb, with a non-default MTU, address and state to compare.</summary>
    private static void CreateTestLinks()
    {
        IpCommand.Run("link", "set", "lo", "up");
        IpCommand.Run("link", "add", "sriovps-v0", "address", "02:53:52:00:00:01", "mtu", "9000", "type", "veth", "peer", "name", "sriovps-v1");
        IpCommand.Run("link", "set", "sriovps-v0", "up");
        IpCommand.Run("link", "add", "sriovps-br0", "type", "bridge");
        IpCommand.Run("link", "add", "sriovps-ifb0", "type", "ifb");
    }

    private static string Describe(JsonElement link) => string.Join(
        ' ',
        link.GetProperty("ifindex").GetInt32(),
        link.GetProperty("ifname").GetString(),
        link.GetProperty("mtu").GetInt32(),
        link.GetProperty("operstate").GetString(),
        link.TryGetProperty("address", out var address) ? address.GetString() : "-");

    private static string Describe(LinkInfo link) => string.Join(
        ' ',
        link.Index,
        link.Name,
        link.Mtu,
        IpLinkExpectations.OperStateName(link.OperState),
        IpLinkExpectations.Mac(link.Address));

    private static unsafe void SendTo(SafeFileDescriptor from, uint portId, ReadOnlySpan<byte> message)
    {
        Span<byte> address = stackalloc byte[12];
        address.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(address, Interop.Libc.AF_NETLINK);
        BinaryPrimitives.WriteUInt32LittleEndian(address[4..], portId);
        fixed (byte* bytes = message)
        fixed (byte* to = address)
        {
            nint sent = SendTo(from, bytes, (nuint)message.Length, 0, to, 12);
            Assert.True(sent == message.Length, $"sendto: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "sendto", SetLastError = true)]
    private static unsafe partial nint SendTo(SafeFileDescriptor fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);
}
