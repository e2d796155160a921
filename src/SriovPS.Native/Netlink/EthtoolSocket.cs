using System.Collections.Generic;

namespace SriovPS.Native.Netlink;

/// <summary>
/// A generic netlink socket for ethtool requests. The ethtool family id is asked of the controller
/// once per socket, on first use; a kernel without ethtool netlink (before 5.6, or built without
/// CONFIG_ETHTOOL_NETLINK) answers that once too.
/// </summary>
internal sealed class EthtoolSocket : IDisposable
{
    private readonly NetlinkSocket _socket;
    private ushort? _family;
    private bool _resolved;

    private EthtoolSocket(NetlinkSocket socket) => _socket = socket;

    /// <summary>How many requests went to the kernel, the family lookup included.</summary>
    internal int Requests { get; private set; }

    /// <summary>Opens a NETLINK_GENERIC socket in the calling thread's network namespace.</summary>
    /// <exception cref="NetlinkException">No socket could be opened.</exception>
    internal static EthtoolSocket Open(TimeSpan? replyTimeout = null) =>
        new(NetlinkSocket.Open(Interop.Libc.NETLINK_GENERIC, replyTimeout));

    /// <summary>The ethtool family's message type; <c>null</c> when this kernel has none. An answer is kept.</summary>
    /// <exception cref="NetlinkException">The controller failed otherwise.</exception>
    /// <exception cref="NetlinkDecodeException">Its answer did not parse.</exception>
    internal ushort? FamilyId()
    {
        if (!_resolved)
        {
            Requests++;
            _family = GenericNetlink.ResolveFamily(_socket, Ethtool.FamilyName);
            _resolved = true;
        }

        return _family;
    }

    /// <summary><c>ethtool -k DEV</c>: the interface's feature sets.</summary>
    /// <exception cref="NetlinkException">ENODEV: no such interface; EPERM: refused.</exception>
    /// <exception cref="NetlinkDecodeException">The answer did not parse, or there was none.</exception>
    /// <exception cref="InvalidOperationException">The kernel has no ethtool family: ask <see cref="FamilyId"/> first.</exception>
    internal EthtoolFeatureSets GetFeatures(string interfaceName)
    {
        ushort family = RequireFamily();
        EthtoolFeatureSets? features = null;
        Requests++;
        _socket.Transact(EthtoolFeatures.BuildGet(family, interfaceName), reply => features ??= EthtoolFeatures.DecodeGet(reply, family));
        return features ?? throw new NetlinkDecodeException($"ETHTOOL_MSG_FEATURES_GET for {interfaceName}: the kernel acknowledged without describing the features.");
    }

    /// <summary>
    /// <c>ethtool -K DEV FEATURE on|off</c>, acknowledged by the kernel. Returns the features whose
    /// result differs from the request (the kernel's optional reply); empty when it followed it.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused; the extended ack says why.</exception>
    /// <exception cref="NetlinkDecodeException">Its reply did not parse.</exception>
    /// <exception cref="InvalidOperationException">The kernel has no ethtool family: ask <see cref="FamilyId"/> first.</exception>
    internal IReadOnlySet<string> SetFeature(string interfaceName, string feature, bool on)
    {
        ushort family = RequireFamily();
        IReadOnlySet<string>? differences = null;
        Requests++;
        _socket.Transact(EthtoolFeatures.BuildSet(family, interfaceName, feature, on), reply => differences ??= EthtoolFeatures.DecodeSetDifferences(reply, family));
        return differences ?? new HashSet<string>(StringComparer.Ordinal);
    }

    public void Dispose() => _socket.Dispose();

    private ushort RequireFamily() =>
        FamilyId() ?? throw new InvalidOperationException("This kernel has no ethtool netlink family; check FamilyId() before asking ethtool.");
}
