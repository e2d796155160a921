namespace SriovPS.Kernel;

/// <summary>
/// Network interfaces' offload features through the kernel's ethtool generic netlink family
/// (<c>ethtool -k</c> / <c>-K</c>), or what a snapshot holds of them.
/// </summary>
internal sealed class NetdevFeatures : IDisposable
{
    private readonly IHostReport? _report;
    private readonly IReadOnlyDictionary<string, NetdevFeatureState>? _savedHwTcOffload;

    internal NetdevFeatures(IHostReport? report = null) => _report = report;

    /// <summary>The hw-tc-offload states a snapshot holds, by interface name; it changes none.</summary>
    internal NetdevFeatures(IReadOnlyDictionary<string, NetdevFeatureState> savedHwTcOffload) => _savedHwTcOffload = savedHwTcOffload;

    internal bool IsSaved => _savedHwTcOffload is not null;

    /// <summary><c>hw-tc-offload</c> of <paramref name="interfaceName"/>; <c>null</c> when not known (no such interface, no ethtool netlink, not saved).</summary>
    internal NetdevFeatureState? HwTcOffload(string interfaceName) =>
        _savedHwTcOffload is not null && _savedHwTcOffload.TryGetValue(interfaceName, out var saved) ? saved : null;

    /// <summary>Turns <c>hw-tc-offload</c> on or off for <paramref name="interfaceName"/>.</summary>
    internal void SetHwTcOffload(string interfaceName, bool on) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
