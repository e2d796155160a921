using SriovPS.Native;
using SriovPS.Native.Netlink;

namespace SriovPS.Kernel;

/// <summary>
/// Network interfaces' offload features through the kernel's ethtool generic netlink family
/// (<c>ethtool -k</c> / <c>-K</c>), or what a snapshot holds of them. One socket serves every request
/// of a command; the family is looked up once, and once the kernel has said it has none nothing more
/// is asked.
/// </summary>
internal sealed class NetdevFeatures : IDisposable
{
    private readonly IHostReport? _report;
    private readonly IReadOnlyDictionary<string, NetdevFeatureState>? _savedHwTcOffload;
    private EthtoolSocket? _socket;
    private bool _familyMissing;
    private bool _readsStopped;

    internal NetdevFeatures(IHostReport? report = null) => _report = report;

    /// <summary>The hw-tc-offload states a snapshot holds, by interface name; it changes none.</summary>
    internal NetdevFeatures(IReadOnlyDictionary<string, NetdevFeatureState> savedHwTcOffload) => _savedHwTcOffload = savedHwTcOffload;

    internal bool IsSaved => _savedHwTcOffload is not null;

    /// <summary>Requests sent to the kernel, the family lookup included.</summary>
    internal int Requests => _socket?.Requests ?? 0;

    /// <summary>
    /// <c>hw-tc-offload</c> of <paramref name="interfaceName"/>; <c>null</c> when not known (no such
    /// interface, no ethtool netlink, not saved).
    /// </summary>
    /// <exception cref="SriovException">NetlinkPermissionDenied: the kernel refused to answer.</exception>
    /// <exception cref="SriovException">OffloadFeatureUnreadable: the request failed otherwise, or its answer did not parse.</exception>
    internal NetdevFeatureState? HwTcOffload(string interfaceName) => Feature(interfaceName, Ethtool.HwTcOffload);

    /// <summary>
    /// <see cref="HwTcOffload"/> for listings, which never throws: an interface whose features cannot be
    /// read is reported as a failure; a refusal that would repeat for every interface (no permission,
    /// no socket) is said once as a warning, and then nothing more is asked.
    /// </summary>
    internal NetdevFeatureState? ReadHwTcOffload(string interfaceName)
    {
        if (_readsStopped)
        {
            return null;
        }

        try
        {
            return HwTcOffload(interfaceName);
        }
        catch (SriovException e) when (e.Category == SriovErrorCategory.PermissionDenied)
        {
            _readsStopped = true;
            _report?.Warn("The kernel refused to show interface features (ethtool netlink): HwTcOffload is left empty.");
        }
        catch (SriovException e) when (_socket is null)
        {
            _readsStopped = true;
            _report?.Warn($"The kernel's generic netlink interface could not be opened ({e.InnerException?.Message}): HwTcOffload is left empty.");
        }
        catch (SriovException e)
        {
            _report?.Fail(e);
        }

        return null;
    }

    /// <summary>
    /// Turns <c>hw-tc-offload</c> on or off for <paramref name="interfaceName"/>
    /// (<c>ethtool -K IFACE hw-tc-offload on</c>) and reads it back. Asking for what it already is changes nothing.
    /// </summary>
    /// <param name="driver">The interface's driver, named when the feature is fixed.</param>
    /// <exception cref="SriovException">OffloadFeatureFixed: the driver does not let it be changed.</exception>
    /// <exception cref="SriovException">OffloadFeatureNotSupported: the kernel has no ethtool netlink.</exception>
    /// <exception cref="SriovException">OffloadFeatureRejected: the kernel or driver refused, in its words, or did not follow.</exception>
    /// <exception cref="SriovException">InterfaceNotFound, NetlinkPermissionDenied, OffloadFeatureFailed.</exception>
    internal void SetHwTcOffload(string interfaceName, bool on, string? driver = null)
    {
        if (_savedHwTcOffload is not null)
        {
            throw new InvalidOperationException("A snapshot's features are not changed.");
        }

        const string feature = Ethtool.HwTcOffload;
        string command = $"ethtool -K {interfaceName} {feature} {(on ? "on" : "off")}";
        var before = HwTcOffload(interfaceName);
        if (before is null)
        {
            throw _familyMissing ? NetdevFeatureErrors.FamilyMissing(interfaceName, command) : NetdevFeatureErrors.NoInterface(interfaceName);
        }

        if (before.Value.Active == on)
        {
            return;
        }

        if (!before.Value.Changeable)
        {
            throw NetdevFeatureErrors.Fixed(interfaceName, feature, before.Value.Active, driver);
        }

        try
        {
            var differences = _socket!.SetFeature(interfaceName, feature, on);
            if (differences.Contains(feature))
            {
                throw NetdevFeatureErrors.NotApplied(interfaceName, feature, on, command);
            }
        }
        catch (NetlinkException e)
        {
            throw NetdevFeatureErrors.ForChange(e, interfaceName, command);
        }
        catch (NetlinkDecodeException e)
        {
            throw NetdevFeatureErrors.ForUnreadableAnswer(e, interfaceName, command);
        }

        if (HwTcOffload(interfaceName) is { } after && after.Active != on)
        {
            throw NetdevFeatureErrors.NotApplied(interfaceName, feature, on, command);
        }
    }

    public void Dispose() => _socket?.Dispose();

    private NetdevFeatureState? Feature(string interfaceName, string feature)
    {
        if (_savedHwTcOffload is not null)
        {
            return feature == Ethtool.HwTcOffload && _savedHwTcOffload.TryGetValue(interfaceName, out var saved) ? saved : null;
        }

        if (_familyMissing)
        {
            return null;
        }

        try
        {
            var socket = _socket ??= EthtoolSocket.Open();
            if (socket.FamilyId() is null)
            {
                _familyMissing = true;
                return null;
            }

            var sets = socket.GetFeatures(interfaceName);
            return new NetdevFeatureState(sets.Active.Contains(feature), sets.IsChangeable(feature));
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
        catch (NetlinkException e)
        {
            throw NetdevFeatureErrors.ForRead(e, interfaceName);
        }
        catch (NetlinkDecodeException e)
        {
            throw NetdevFeatureErrors.ForDecode(e, interfaceName);
        }
    }
}
