using System.Diagnostics;
using System.Threading;

namespace SriovPS.Kernel;

/// <summary>
/// Waiting for the kernel to finish something sysfs only shows afterwards (VFs appearing, a driver
/// binding, an interface registering): no event announces it, so the state is read every 50 ms.
/// </summary>
internal static class HostPolling
{
    private const int IntervalMilliseconds = 50;

    /// <summary>
    /// Calls <paramref name="done"/> until it says yes, <paramref name="timeout"/> passes, or the
    /// command is stopped; <paramref name="done"/> runs at least once. Returns whether it said yes.
    /// </summary>
    public static bool Until(Func<bool> done, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed >= timeout || cancellation.WaitHandle.WaitOne(IntervalMilliseconds))
            {
                return false;
            }
        }

        return true;
    }
}
