using SriovPS.Native.Netlink;
using SriovPS.Snapshot;

namespace SriovPS.Kernel;

/// <summary>
/// The live kernel's view of interfaces, over one netlink socket per command: one <c>RTM_GETLINK</c>
/// per PF, never one per VF. Failures go to the command's report and give <c>null</c>, so
/// discovery keeps what sysfs said and the pipeline goes on. On a snapshot it serves what netlink said
/// when the snapshot was taken, and changes nothing.
/// </summary>
internal sealed class KernelLinks : IDisposable
{
    private readonly IHostReport? _report;
    private readonly SavedKernel? _saved;
    private NetlinkSocket? _socket;
    private bool _unavailable;

    internal KernelLinks(IHostReport? report = null) => _report = report;

    /// <summary>The links a snapshot holds.</summary>
    internal KernelLinks(SavedKernel saved, IHostReport? report = null)
    {
        _saved = saved;
        _report = report;
    }

    /// <summary>How many requests were sent; the benchmark and tests hold this to one per PF.</summary>
    internal int Requests { get; private set; }

    /// <summary>An interface without its VFs: state, MTU, address.</summary>
    internal LinkInfo? Read(string interfaceName) => Request(interfaceName, vfs: false, statistics: false);

    /// <summary>
    /// A PF with every VF's settings, and each VF's counters when <paramref name="statistics"/>.
    /// When the counters overflow the kernel's VF list (a couple of hundred VFs), the settings are
    /// read again without them and the counters are kept for the VFs that fit, with a warning.
    /// </summary>
    internal LinkInfo? ReadWithVfs(string interfaceName, bool statistics)
    {
        var link = Request(interfaceName, vfs: true, statistics);
        if (link is null || !link.VfListTruncated)
        {
            return link;
        }

        if (!statistics)
        {
            _report?.Warn(
                $"{interfaceName} has {link.NumVfs} VFs but the kernel's VF list held only {link.Vfs.Count}: it overflowed netlink's " +
                "64 KiB attribute. The settings of the other VFs are left empty.");
            return link;
        }

        var settings = Request(interfaceName, vfs: true, statistics: false);
        if (settings is null)
        {
            return link;
        }

        var counters = new Dictionary<int, VfStatistics>(link.Vfs.Count);
        foreach (var vf in link.Vfs)
        {
            if (vf.Statistics is not null)
            {
                counters[vf.Index] = vf.Statistics;
            }
        }

        foreach (var vf in settings.Vfs)
        {
            vf.Statistics = counters.GetValueOrDefault(vf.Index);
        }

        _report?.Warn(
            $"{interfaceName} has {link.NumVfs} VFs, too many for the kernel to send every VF's counters in one netlink reply " +
            $"(its VF list overflows 64 KiB): Statistics are shown for the first {counters.Count} only.");
        return settings;
    }

    /// <summary>
    /// The addresses an administrator gave the interface or got from DHCP or router advertisements
    /// (<c>ip addr show dev eno49 scope global</c>): link-local and host-scope ones, which the kernel
    /// makes by itself, are left out. Each as <c>192.0.2.10/24</c>; <c>null</c> when the interface or its
    /// addresses could not be read (reported).
    /// </summary>
    internal List<string>? ReadAddresses(string interfaceName)
    {
        if (_saved is not null)
        {
            return _saved.Addresses.TryGetValue(interfaceName, out var addresses) ? [.. addresses] : null;
        }

        if (Read(interfaceName) is not { } link || Socket() is not { } socket)
        {
            return null;
        }

        Requests++;
        try
        {
            return AddressQueries.Dump(socket, link.Index).FindAll(a => a.Scope < AddressQueries.RT_SCOPE_LINK).ConvertAll(a => a.ToString());
        }
        catch (NetlinkException e)
        {
            _report?.Fail(NetlinkErrors.ForRead(e, interfaceName));
        }
        catch (NetlinkDecodeException e)
        {
            _report?.Fail(NetlinkErrors.ForDecode(e, interfaceName));
        }

        return null;
    }

    /// <summary>
    /// Sends one change (RTM_SETLINK) and waits for the kernel's acknowledgement. Unlike reads, a
    /// refusal is thrown: only the caller knows what the change meant.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused the change, or no netlink socket could be opened.</exception>
    internal void Change(NetlinkMessageBuilder request)
    {
        if (_saved is not null)
        {
            throw new InvalidOperationException("A snapshot's kernel is not changed.");
        }

        var socket = _socket ??= NetlinkSocket.Open();
        Requests++;
        socket.Transact(request, null);
    }

    public void Dispose() => _socket?.Dispose();

    private LinkInfo? Request(string interfaceName, bool vfs, bool statistics)
    {
        if (_saved is not null)
        {
            return _saved.Link(interfaceName, vfs, statistics);
        }

        uint extMask = LinkQueries.ExtMask(vfs, statistics);
        var socket = Socket();
        if (socket is null)
        {
            return null;
        }

        Requests++;
        try
        {
            return LinkQueries.Get(socket, interfaceName, extMask);
        }
        catch (NetlinkException e)
        {
            _report?.Fail(NetlinkErrors.ForRead(e, interfaceName));
        }
        catch (NetlinkDecodeException e)
        {
            _report?.Fail(NetlinkErrors.ForDecode(e, interfaceName));
        }

        return null;
    }

    private NetlinkSocket? Socket()
    {
        if (_socket is not null || _unavailable)
        {
            return _socket;
        }

        try
        {
            return _socket = NetlinkSocket.Open();
        }
        catch (NetlinkException e)
        {
            // Once per command: without a socket nothing netlink-based can be read.
            _unavailable = true;
            _report?.Warn($"The kernel's netlink interface could not be opened ({e.Message}); values read over netlink are left empty.");
            return null;
        }
    }
}
