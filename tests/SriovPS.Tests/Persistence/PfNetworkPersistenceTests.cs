using System;
using System.IO;
using System.Linq;
using SriovPS.Errors;
using SriovPS.Native.Files;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>Persisting a PF's settings on temporary roots, for each manager: one whole file, written only when it changes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PfNetworkPersistenceTests
{
    private const string Pf = "eno49";

    public static TheoryData<string> Managers => [.. PfNetworkWriterTests.ManagerNames];

    public static TheoryData<string, uint> ManagersAndNewFileModes => new()
    {
        { nameof(HostNetworkManager.Netplan), 0b110_000_000 },
        { nameof(HostNetworkManager.NetworkManager), 0b110_000_000 },
        { nameof(HostNetworkManager.SystemdNetworkd), 0b110_100_100 },
        { nameof(HostNetworkManager.Ifupdown), 0b110_100_100 },
    };

    [Theory]
    [MemberData(nameof(ManagersAndNewFileModes))]
    public void Commit_NewFile_WritesTheRenderingWithTheManagersModeAndNoBackup(string manager, uint mode)
    {
        using var tree = HostTree.Empty();
        var settings = new PfNetworkSettings(Pf, true, 9000);

        var plan = PfNetworkPersistence.Plan(tree.Files, Manager(manager), settings);

        Assert.Null(plan.Existing);
        Assert.True(plan.Changes);
        Assert.False(File.Exists(tree.PathOf(plan.File.HostPath)));
        Assert.True(plan.Commit());
        Assert.Equal(PfNetworkWriterTests.WriterFor(manager).Render(settings), File.ReadAllText(tree.PathOf(plan.File.HostPath)));
        Assert.Equal(0, ReplacementFile.Stat(tree.PathOf(plan.File.HostPath), out _, out _, out uint actual));
        Assert.Equal(mode, actual & 0xFFF);
        Assert.Equal([Path.GetFileName(plan.File.HostPath)], Names(tree, plan));
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Plan_SecondRun_ChangesNothing_AndSaysSo(string manager)
    {
        using var tree = HostTree.Empty();
        var settings = new PfNetworkSettings(Pf, false, 9000);
        var first = PfNetworkPersistence.Plan(tree.Files, Manager(manager), settings);
        first.Commit();
        byte[] written = File.ReadAllBytes(tree.PathOf(first.File.HostPath));

        var second = PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, up: null, mtu: null);

        Assert.Equal(settings, second.Existing);
        Assert.Equal(settings, second.Settings);
        Assert.False(second.Changes);
        Assert.False(second.Commit());
        Assert.Equal(written, File.ReadAllBytes(tree.PathOf(first.File.HostPath)));
        Assert.False(File.Exists(tree.PathOf(second.File.BackupHostPath)));
        Assert.Equal([Path.GetFileName(first.File.HostPath)], Names(tree, first));
        Assert.Equal($"{first.File.HostPath} already says: down, no address, MTU 9000", second.Description);
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Commit_ChangedMtu_RewritesTheFile_AndKeepsThePreviousVersionAsTheBackup(string manager)
    {
        using var tree = HostTree.Empty();
        var writer = PfNetworkWriterTests.WriterFor(manager);
        PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings(Pf, true, 1500)).Commit();

        var plan = PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, up: null, mtu: 9000);

        Assert.Equal(new PfNetworkSettings(Pf, true, 1500), plan.Existing);
        Assert.Equal(new PfNetworkSettings(Pf, true, 9000), plan.Settings);
        Assert.True(plan.Changes);
        Assert.Equal($"write {writer.HostPathFor(Pf)}: up, no address, MTU 9000", plan.Description);
        Assert.True(plan.Commit());
        Assert.Equal(writer.Render(plan.Settings), File.ReadAllText(tree.PathOf(plan.File.HostPath)));
        Assert.Equal(writer.BackupHostPathFor(Pf), plan.File.BackupHostPath);
        Assert.EndsWith(".sriovps.bak", plan.File.BackupHostPath, StringComparison.Ordinal);
        Assert.Equal(writer.Render(plan.Existing!), File.ReadAllText(tree.PathOf(plan.File.BackupHostPath)));
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Commit_LeavesUnrelatedFilesInTheDirectoryByteIdentical(string manager)
    {
        using var tree = HostTree.Empty();
        var writer = PfNetworkWriterTests.WriterFor(manager);
        string[] others = [$"{writer.Directory}/50-cloud-init", $"{writer.Directory}/20-wired", $"{writer.Directory}/eno50-by-hand"];
        foreach (var other in others)
        {
            tree.WriteFile(other, $"# {other}, not ours\nkey=value\n");
            File.SetUnixFileMode(tree.PathOf(other), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var before = others.Select(o => File.ReadAllBytes(tree.PathOf(o))).ToArray();
        PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings(Pf, true, null)).Commit();
        PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, up: false, mtu: 9000).Commit();

        Assert.Equal(before, others.Select(o => File.ReadAllBytes(tree.PathOf(o))).ToArray());
        Assert.All(others, o => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tree.PathOf(o))));
        Assert.Equal(
            others.Select(Path.GetFileName).Append(Path.GetFileName(writer.HostPathFor(Pf))).Append(Path.GetFileName(writer.BackupHostPathFor(Pf))).Order(StringComparer.Ordinal),
            Directory.GetFiles(tree.PathOf(writer.Directory)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Plan_ForeignFileAtOurPath_IsRefusedAsNotOwned_AndLeftUntouched(string manager)
    {
        using var tree = HostTree.Empty();
        var writer = PfNetworkWriterTests.WriterFor(manager);
        string path = writer.HostPathFor(Pf);
        const string Foreign = "# someone else's\nnetwork:\n  ethernets:\n    eno49:\n      addresses: [192.0.2.1/24]\n";
        tree.WriteFile(path, Foreign);

        var error = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, 
            () => PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings(Pf, true, 9000)));
        SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => PfNetworkPersistence.ReadExisting(tree.Files, Manager(manager), Pf));
        SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, null, 9000));

        Assert.Equal((ErrorCatalog.NetworkConfigNotOwned, SriovErrorCategory.InvalidOperation), (error.Id, error.Category));
        Assert.Equal(path, error.Target);
        Assert.Contains("was not written by SriovPS", error.Message);
        Assert.Equal(Foreign, File.ReadAllText(tree.PathOf(path)));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(tree.PathOf(writer.Directory)).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Plan_OnlyMtuGiven_KeepsThePersistedLinkState(string manager)
    {
        using var tree = HostTree.Empty();
        PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings(Pf, false, null)).Commit();

        var plan = PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, up: null, mtu: 9000);

        Assert.Equal(new PfNetworkSettings(Pf, false, 9000), plan.Settings);
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Plan_WithNoFile_DefaultsToUpAndTheDriversMtu(string manager)
    {
        using var tree = HostTree.Empty();

        var plan = PfNetworkPersistence.Plan(tree.Files, Manager(manager), Pf, up: null, mtu: null);

        Assert.Equal(new PfNetworkSettings(Pf, true, null), plan.Settings);
        Assert.Null(PfNetworkPersistence.ReadExisting(tree.Files, Manager(manager), Pf));
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Plan_AHostileName_IsRefusedBeforeAnythingIsRead(string manager)
    {
        using var tree = HostTree.Empty();

        Assert.ThrowsAny<ArgumentException>(() => PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings("../../x", true, null)));
        Assert.ThrowsAny<ArgumentException>(() => PfNetworkPersistence.Plan(tree.Files, Manager(manager), "a/b", true, null));
        Assert.Empty(Directory.GetFileSystemEntries(tree.Root));
    }

    [Fact]
    public void Merge_GivenValuesWin_ThenTheFile_ThenTheDefaults()
    {
        var existing = new PfNetworkSettings(Pf, false, 9000);

        Assert.Equal(new PfNetworkSettings(Pf, true, null), PfNetworkPersistence.Merge(null, Pf, null, null));
        Assert.Equal(new PfNetworkSettings(Pf, false, 9000), PfNetworkPersistence.Merge(existing, Pf, null, null));
        Assert.Equal(new PfNetworkSettings(Pf, true, 9000), PfNetworkPersistence.Merge(existing, Pf, true, null));
        Assert.Equal(new PfNetworkSettings(Pf, false, 1500), PfNetworkPersistence.Merge(existing, Pf, null, 1500));
        Assert.Throws<ArgumentException>(() => PfNetworkPersistence.Merge(existing, "eno50", null, null));
    }

    [Fact]
    public void Plan_None_HasNothingToWrite()
    {
        using var tree = HostTree.Empty();

        Assert.Throws<ArgumentOutOfRangeException>(() => PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.None, new PfNetworkSettings(Pf, true, null)));
    }

    [Fact]
    public void Plan_Ifupdown_InterfacesNotSourcingTheDirectory_IsReportedAsAWarning()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*.cfg\n");

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Ifupdown, new PfNetworkSettings(Pf, true, null));

        Assert.Equal(
            "/etc/network/interfaces does not source /etc/network/interfaces.d/sriovps-eno49, so ifupdown will not read it at boot: " +
            "add 'source /etc/network/interfaces.d/*' to /etc/network/interfaces.",
            plan.Warning);
    }

    [Fact]
    public void Plan_Ifupdown_InterfacesSourcingTheDirectory_HasNoWarning()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n");

        Assert.Null(PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Ifupdown, new PfNetworkSettings(Pf, true, null)).Warning);
    }

    [Theory]
    [InlineData(nameof(HostNetworkManager.Netplan))]
    [InlineData(nameof(HostNetworkManager.NetworkManager))]
    [InlineData(nameof(HostNetworkManager.SystemdNetworkd))]
    public void Plan_OtherManagers_HaveNoWarning(string manager)
    {
        using var tree = HostTree.Empty();

        Assert.Null(PfNetworkPersistence.Plan(tree.Files, Manager(manager), new PfNetworkSettings(Pf, true, null)).Warning);
    }

    private static HostNetworkManager Manager(string name) => Enum.Parse<HostNetworkManager>(name);

    /// <summary>The names in the writer's directory, hidden ones (a backup, a leftover temporary file) included.</summary>
    private static string[] Names(HostTree tree, PfNetworkPersistence plan) =>
        Directory.GetFiles(tree.PathOf(Path.GetDirectoryName(plan.File.HostPath)!)).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
}
