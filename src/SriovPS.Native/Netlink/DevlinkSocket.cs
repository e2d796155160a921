namespace SriovPS.Native.Netlink;

/// <summary>
/// A generic netlink socket for devlink requests. The devlink family id is asked of the controller
/// once per socket, on first use; a kernel without devlink answers that once too.
/// </summary>
internal sealed class DevlinkSocket : IDisposable
{
    private readonly NetlinkSocket _socket;
    private ushort? _family;
    private bool _resolved;

    private DevlinkSocket(NetlinkSocket socket) => _socket = socket;

    /// <summary>How many requests went to the kernel, the family lookup included.</summary>
    internal int Requests { get; private set; }

    /// <summary>Opens a NETLINK_GENERIC socket in the calling thread's network namespace.</summary>
    /// <exception cref="NetlinkException">No socket could be opened.</exception>
    internal static DevlinkSocket Open(TimeSpan? replyTimeout = null) =>
        new(NetlinkSocket.Open(Interop.Libc.NETLINK_GENERIC, replyTimeout));

    /// <summary>
    /// The devlink family's message type; <c>null</c> when this kernel has no devlink (built without
    /// CONFIG_NET_DEVLINK). A failed lookup is asked again next time; an answer is kept.
    /// </summary>
    /// <exception cref="NetlinkException">The controller failed otherwise.</exception>
    /// <exception cref="NetlinkDecodeException">Its answer did not parse.</exception>
    internal ushort? FamilyId()
    {
        if (!_resolved)
        {
            Requests++;
            _family = GenericNetlink.ResolveFamily(_socket, Devlink.FamilyName);
            _resolved = true;
        }

        return _family;
    }

    /// <summary>
    /// <c>devlink dev eswitch show BUS/DEVICE</c>: the DEVLINK_ESWITCH_MODE_* value, or <c>null</c>
    /// when the device has a devlink instance but its driver reports no eswitch mode.
    /// </summary>
    /// <exception cref="NetlinkException">
    /// ENODEV: no devlink instance has that name; EOPNOTSUPP: the driver has an eswitch but cannot
    /// report it now; EPERM: the caller lacks CAP_NET_ADMIN.
    /// </exception>
    /// <exception cref="InvalidOperationException">The kernel has no devlink: ask <see cref="FamilyId"/> first.</exception>
    internal ushort? GetEswitchMode(string busName, string deviceName)
    {
        ushort family = RequireFamily();
        ushort? mode = null;
        bool answered = false;
        Requests++;
        _socket.Transact(DevlinkEswitch.BuildGet(family, busName, deviceName), reply =>
        {
            if (!answered)
            {
                mode = DevlinkEswitch.DecodeMode(reply, family);
                answered = true;
            }
        });

        return answered
            ? mode
            : throw new NetlinkDecodeException($"DEVLINK_CMD_ESWITCH_GET for {busName}/{deviceName}: the kernel acknowledged without describing the eswitch.");
    }

    /// <summary><c>devlink dev eswitch set BUS/DEVICE mode legacy|switchdev</c>, acknowledged by the kernel.</summary>
    /// <exception cref="NetlinkException">The kernel or the driver refused; the extended ack says why.</exception>
    /// <exception cref="InvalidOperationException">The kernel has no devlink: ask <see cref="FamilyId"/> first.</exception>
    internal void SetEswitchMode(string busName, string deviceName, ushort mode)
    {
        ushort family = RequireFamily();
        Requests++;
        _socket.Transact(DevlinkEswitch.BuildSet(family, busName, deviceName, mode), null);
    }

    public void Dispose() => _socket.Dispose();

    private ushort RequireFamily() =>
        FamilyId() ?? throw new InvalidOperationException("This kernel has no devlink family; check FamilyId() before asking devlink.");
}
