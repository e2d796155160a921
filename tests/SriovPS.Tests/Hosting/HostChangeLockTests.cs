using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Hosting;

/// <summary>The host change lock on temporary roots: one holder at a time, a waiter told whom it waits for.</summary>
public sealed class HostChangeLockTests
{
    [Fact]
    public void ASecondChanger_WaitsThenReportsResourceBusy_NamingTheHolder()
    {
        using var tree = HostTree.Empty();
        using var first = HostChangeLock.Acquire(tree.Files, TimeSpan.FromSeconds(1));
        string? told = null;

        var error = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, 
            () => HostChangeLock.Acquire(tree.Files, TimeSpan.FromMilliseconds(300), new CallbackReport(note: message => told = message)));

        Assert.Equal((ErrorCatalog.HostChangeInProgress, SriovErrorCategory.ResourceBusy), (error.Id, error.Category));
        Assert.Contains($"PID {Environment.ProcessId}", error.Message);
        Assert.Contains($"PID {Environment.ProcessId}", told);

        // Read without .NET's file API, whose shared flock the held lock would refuse.
        Assert.Equal($"{Environment.ProcessId}", tree.Files.ReadAttribute(HostChangeLock.HostPath));
    }

    [Fact]
    public void TheLockFile_IsCreatedWhenAbsent_NamingItsHolder()
    {
        using var tree = HostTree.Empty();
        Assert.False(Directory.Exists(tree.PathOf("/run/lock")));

        using var holder = HostChangeLock.Acquire(tree.Files, TimeSpan.Zero);

        Assert.True(File.Exists(tree.PathOf(HostChangeLock.HostPath)));
        Assert.Equal($"{Environment.ProcessId}", tree.Files.ReadAttribute(HostChangeLock.HostPath));
    }

    [Fact]
    public void AfterTheHolderIsDone_TheNextChangerGetsTheLock_AndHoldsIt()
    {
        using var tree = HostTree.Empty();
        HostChangeLock.Acquire(tree.Files, TimeSpan.FromSeconds(1)).Dispose();

        using var second = HostChangeLock.Acquire(tree.Files, TimeSpan.Zero);

        // The second changer really holds it: a third is refused.
        var error = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => HostChangeLock.Acquire(tree.Files, TimeSpan.Zero));
        Assert.Equal(ErrorCatalog.HostChangeInProgress, error.Id);

        // Once the second is done too, the lock is free again.
        second.Dispose();
        HostChangeLock.Acquire(tree.Files, TimeSpan.Zero).Dispose();
    }

    [Fact]
    public void ASymbolicLinkInPlaceOfTheLockFile_IsNeverFollowed()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/shadow-like", "precious\n");
        Directory.CreateDirectory(tree.PathOf("/run/lock"));
        File.CreateSymbolicLink(tree.PathOf(HostChangeLock.HostPath), "../../etc/shadow-like");

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => HostChangeLock.Acquire(tree.Files, TimeSpan.Zero));

        Assert.Contains("is a symbolic link", error.Message);
        Assert.Equal("precious\n", File.ReadAllText(tree.PathOf("/etc/shadow-like")));
    }

    [SkippableFact]
    public void ALockFileOfAnotherUser_IsRefusedByRoot()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to give the file another owner");
        using var tree = HostTree.Empty();
        tree.WriteFile(HostChangeLock.HostPath, "1\n");
        ExternalProgram.Run("chown", "1234", tree.PathOf(HostChangeLock.HostPath));

        var error = SriovAssert.Throws(SriovErrorCategory.WriteError, () => HostChangeLock.Acquire(tree.Files, TimeSpan.Zero));

        Assert.Contains("belongs to uid 1234, not root", error.Message);
    }

    [Fact]
    public void TwoChangersTakingTurnsOnACopiedTree_NeverFail_AndLeaveNoLockFile()
    {
        // Each release removes the lock file and the directories it made, often just as the other
        // changer has opened the directory to take the lock: that changer must try again, not fail.
        // Neither waits (a busy lock is asked for again at once), so their attempts overlap often.
        using var tree = HostTree.Empty();
        const int Turns = 1000;
        int holders = 0;
        int overlaps = 0;
        var failures = new ConcurrentQueue<string>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        using var start = new Barrier(2);

        void TakeTurns()
        {
            var files = tree.Files;
            start.SignalAndWait();
            for (int turn = 0; turn < Turns && DateTime.UtcNow < deadline;)
            {
                try
                {
                    using var held = HostChangeLock.Acquire(files, TimeSpan.Zero);
                    if (Interlocked.Increment(ref holders) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    Interlocked.Decrement(ref holders);
                    turn++;
                }
                catch (SriovException e) when (e.Category == SriovErrorCategory.ResourceBusy)
                {
                    // The other holds it: ask again.
                }
                catch (SriovException e)
                {
                    failures.Enqueue($"{e.ErrorId}: {e.Message}");
                    turn++;
                }
            }
        }

        var changers = new[] { new Thread(TakeTurns), new Thread(TakeTurns) };
        foreach (var changer in changers)
        {
            changer.Start();
        }

        foreach (var changer in changers)
        {
            changer.Join();
        }

        Assert.Empty(failures);
        Assert.Equal(0, overlaps);
        Assert.True(DateTime.UtcNow < deadline, "the changers did not take their turns within a minute");
        Assert.False(File.Exists(tree.PathOf(HostChangeLock.HostPath)));
    }
}
