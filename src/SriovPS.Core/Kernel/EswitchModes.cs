using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.Kernel;

/// <summary>
/// PFs' eswitch modes through devlink, over one generic netlink socket per command: the devlink
/// family is looked up once, and once the kernel has said it has no devlink nothing more is asked.
/// A device that devlink does not know (igb registers no devlink instance) simply has no mode.
/// </summary>
internal sealed class EswitchModes : IDisposable
{
    /// <summary>The devlink bus name of PCI PFs: <c>pci/0000:04:00.0</c>.</summary>
    internal const string PciBus = Devlink.PciBus;

    private readonly IHostReport? _report;
    private readonly IReadOnlyDictionary<string, EswitchMode>? _saved;
    private DevlinkSocket? _socket;
    private bool _devlinkMissing;
    private bool _readsStopped;

    /// <param name="error">Where <see cref="Read"/> reports a PF whose mode could not be read.</param>
    /// <param name="warning">Where <see cref="Read"/> says, once, why it stopped asking.</param>
    internal EswitchModes(IHostReport? report = null) => _report = report;

    /// <summary>The modes a snapshot holds, by PCI address; it changes none.</summary>
    internal EswitchModes(IReadOnlyDictionary<string, EswitchMode> saved) => _saved = saved;

    /// <summary>Whether these are a snapshot's modes rather than the live kernel's.</summary>
    internal bool IsSaved => _saved is not null;

    /// <summary>Requests sent to the kernel, the family lookup included: one per PF asked about, plus one.</summary>
    internal int Requests => _socket?.Requests ?? 0;

    /// <summary>
    /// The eswitch mode of one device: <c>devlink dev eswitch show pci/0000:04:00.0</c>. <c>null</c>,
    /// never an error, when the kernel has no devlink, when no devlink instance has that name (ENODEV,
    /// EINVAL), or when its driver has no eswitch or cannot report it now (no mode in the answer,
    /// EOPNOTSUPP).
    /// </summary>
    /// <exception cref="SriovException">NetlinkPermissionDenied: devlink needs CAP_NET_ADMIN.</exception>
    /// <exception cref="SriovException">EswitchModeUnreadable: the request failed otherwise, or its answer did not parse.</exception>
    internal EswitchMode? TryRead(string busName, string deviceName)
    {
        if (_saved is not null)
        {
            return busName == PciBus && _saved.TryGetValue(deviceName, out var mode) ? mode : null;
        }

        if (_devlinkMissing)
        {
            return null;
        }

        string handle = busName + "/" + deviceName;
        try
        {
            var socket = _socket ??= DevlinkSocket.Open();
            if (socket.FamilyId() is null)
            {
                _devlinkMissing = true;
                return null;
            }

            return socket.GetEswitchMode(busName, deviceName) switch
            {
                Devlink.DEVLINK_ESWITCH_MODE_LEGACY => EswitchMode.Legacy,
                Devlink.DEVLINK_ESWITCH_MODE_SWITCHDEV => EswitchMode.Switchdev,
                _ => null,
            };
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENODEV or Errno.EINVAL or Errno.EOPNOTSUPP)
        {
            return null;
        }
        catch (NetlinkException e)
        {
            throw DevlinkErrors.ForRead(e, handle);
        }
        catch (NetlinkDecodeException e)
        {
            throw DevlinkErrors.ForDecode(e, handle);
        }
    }

    /// <summary>
    /// <see cref="TryRead"/> for listings, which never throws: a device whose mode cannot be read is
    /// reported as a failure to the report; a refusal that would repeat for every PF (no permission,
    /// no socket) is said once as a warning, and then nothing more is asked.
    /// </summary>
    internal EswitchMode? Read(string busName, string deviceName)
    {
        if (_readsStopped)
        {
            return null;
        }

        try
        {
            return TryRead(busName, deviceName);
        }
        catch (SriovException e) when (e.Category == SriovErrorCategory.PermissionDenied)
        {
            _readsStopped = true;
            _report?.Warn("devlink shows eswitch modes only to root (CAP_NET_ADMIN): EswitchMode is left empty.");
        }
        catch (SriovException e) when (_socket is null)
        {
            _readsStopped = true;
            _report?.Warn($"The kernel's generic netlink interface could not be opened ({e.InnerException?.Message}): EswitchMode is left empty.");
        }
        catch (SriovException e)
        {
            _report?.Fail(e);
        }

        return null;
    }

    /// <summary>
    /// Sets a device's eswitch mode and waits for the kernel's acknowledgement:
    /// <c>devlink dev eswitch set pci/0000:04:00.0 mode switchdev</c>. Setting the mode it already has
    /// changes nothing. In switchdev mode the driver creates a representor interface per VF.
    /// </summary>
    /// <param name="pfDescription">The PF as users know it (<c>0000:04:00.0 (eno49)</c>), the target of any error.</param>
    /// <param name="pfDriver">The PF's driver, named in refusals when given.</param>
    /// <exception cref="SriovException">
    /// EswitchModeNotSupported: the kernel has no devlink, the device is not a devlink device, or its
    /// driver cannot make this change (EOPNOTSUPP).
    /// </exception>
    /// <exception cref="SriovException">EswitchModeRejected: the driver refused this configuration, in its words.</exception>
    /// <exception cref="SriovException">EswitchModeBusy: the device is busy now (EBUSY).</exception>
    /// <exception cref="SriovException">NetlinkPermissionDenied: devlink needs CAP_NET_ADMIN.</exception>
    /// <exception cref="SriovException">EswitchModeFailed: anything else, or an answer that did not parse.</exception>
    internal void Set(string busName, string deviceName, EswitchMode mode, string pfDescription, string? pfDriver = null)
    {
        ushort value = mode switch
        {
            EswitchMode.Legacy => Devlink.DEVLINK_ESWITCH_MODE_LEGACY,
            EswitchMode.Switchdev => Devlink.DEVLINK_ESWITCH_MODE_SWITCHDEV,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an eswitch mode."),
        };
        var change = new EswitchChange(busName, deviceName, mode, pfDescription, pfDriver);
        if (_saved is not null)
        {
            throw new InvalidOperationException("A snapshot's eswitch modes are not changed.");
        }

        if (_devlinkMissing)
        {
            throw DevlinkErrors.DevlinkMissing(change);
        }

        try
        {
            var socket = _socket ??= DevlinkSocket.Open();
            if (socket.FamilyId() is null)
            {
                _devlinkMissing = true;
                throw DevlinkErrors.DevlinkMissing(change);
            }

            socket.SetEswitchMode(busName, deviceName, value);
        }
        catch (NetlinkException e)
        {
            throw DevlinkErrors.ForChange(e, change);
        }
        catch (NetlinkDecodeException e)
        {
            throw DevlinkErrors.ForUnreadableAnswer(e, change);
        }
    }

    public void Dispose() => _socket?.Dispose();
}
