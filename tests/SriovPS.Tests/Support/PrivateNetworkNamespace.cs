using System;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;
using SriovPS.Native;
using Xunit;

namespace SriovPS.Tests.Support;

/// <summary>
/// Runs test code in a network namespace of its own: a dedicated thread calls unshare(CLONE_NEWNET),
/// which moves that thread alone, so links made there (and sockets opened there, and ip processes
/// started from there) never touch this machine's interfaces. The namespace dies with the thread.
/// </summary>
internal static class PrivateNetworkNamespace
{
    /// <summary>Skips the calling test, with the reason, where a namespace cannot be made.</summary>
    public static void SkipUnlessAvailable()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "network namespaces exist only on Linux");
        Skip.IfNot(Environment.IsPrivilegedProcess, "creating a network namespace needs root (CAP_SYS_ADMIN)");
        Skip.IfNot(IpCommand.IsInstalled, "iproute2's ip, which these tests compare with, is not installed (apt-get install iproute2)");
        string? reason = Unavailable.Value;
        Skip.If(reason is not null, reason);
    }

    public static void Run(Action body) => Run<object?>(() =>
    {
        body();
        return null;
    });

    public static T Run<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (Interop.Libc.Unshare(Interop.Libc.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"unshare(CLONE_NEWNET): errno {Marshal.GetLastPInvokeError()}");
                }

                result = body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Whether this kernel can make a link of <paramref name="kind"/> (dummy needs CONFIG_DUMMY).</summary>
    public static bool SupportsLinkKind(string kind) => Run(() =>
        IpCommand.TryRun("link", "add", "probe0", "type", kind).ExitCode == 0);

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            Run(static () => { });
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "this environment refuses a private network namespace: " + e.Message;
        }
    });
}
