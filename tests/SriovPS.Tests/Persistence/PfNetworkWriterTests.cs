using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Persistence;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>What every writer promises: Parse reads back exactly its own renderings, and no name leads out of its directory.</summary>
public sealed class PfNetworkWriterTests
{
    /// <summary>Every manager with a writer, by name: the enum is internal and cannot be a public test's parameter.</summary>
    public static TheoryData<string> Managers => [.. ManagerNames];

    internal static readonly string[] ManagerNames =
        [nameof(HostNetworkManager.Netplan), nameof(HostNetworkManager.NetworkManager), nameof(HostNetworkManager.SystemdNetworkd), nameof(HostNetworkManager.Ifupdown)];

    public static IEnumerable<object?[]> ManagersAndSettings =>
        from manager in ManagerNames
        from settings in new (string Name, bool Up, int? Mtu)[]
        {
            ("eno49", true, null),
            ("eno49", true, 9000),
            ("enp4s0f1np1", false, null),
            ("eth0.100", false, 1500),
            ("pf_a-1", true, PfNetworkSettings.MinMtu),
            ("eno49", false, PfNetworkSettings.MaxMtu),
        }
        select new object?[] { manager, settings.Name, settings.Up, settings.Mtu };

    public static IEnumerable<object[]> ManagersAndHostileNames =>
        from manager in ManagerNames
        from name in new[] { "../eno49", "eno49/..", "a/b", "/etc", "..", "...", ".hidden", "-eno49", "eno 49", "eno49\n", "x\n[Network]", "eno*", "eno:1", "é49", "", "sixteen-chars-xx" }
        select new object[] { manager, name };

    [Theory]
    [MemberData(nameof(ManagersAndSettings))]
    public void Parse_OfRender_GivesTheSettingsBack(string manager, string name, bool up, int? mtu)
    {
        var writer = WriterFor(manager);
        var settings = new PfNetworkSettings(name, up, mtu);

        string text = writer.Render(settings);

        Assert.Equal(settings, writer.Parse(text, settings.InterfaceName));
        Assert.Equal(text, writer.Render(settings));
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("\r", text);
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Parse_ForeignOrHostileText_IsNull(string manager)
    {
        var writer = WriterFor(manager);
        string ours = writer.Render(new PfNetworkSettings("eno49", true, 9000));
        string header = PfNetworkWriter.Header;
        string[] foreign =
        [
            "",
            "\n",
            "\0\0\0",
            header,
            header + "garbage\n",
            ours[header.Length..],
            ours.Replace("\n", "\r\n", StringComparison.Ordinal),
            ours.TrimEnd('\n'),
            ours + "\n",
            ours + ours[header.Length..],
            "\uFEFF" + ours,
            " " + ours,
            ours.Replace("9000", "99999", StringComparison.Ordinal),
            ours.Replace("9000", "67", StringComparison.Ordinal),
            ours.Replace("9000", "09000", StringComparison.Ordinal),
            ours.Replace("9000", "-9000", StringComparison.Ordinal),
            ours.Replace("9000", "9000000000", StringComparison.Ordinal),
            ours.Replace("eno49", "eno50", StringComparison.Ordinal),
            ours.Replace("eno49", "eno49 ", StringComparison.Ordinal),
            ours.Replace("Written by SriovPS", "Written by someone", StringComparison.Ordinal),
            ours + "# a note of mine\n",
            new string('#', 1 << 16),
        ];

        Assert.All(foreign, text => Assert.Null(writer.Parse(text, "eno49")));
        Assert.Null(writer.Parse(null, "eno49"));
    }

    [Theory]
    [MemberData(nameof(ManagersAndHostileNames))]
    public void Writers_RefuseANameThatCouldLeaveTheirDirectoryOrBreakTheFile(string manager, string name)
    {
        var writer = WriterFor(manager);

        Assert.ThrowsAny<ArgumentException>(() => writer.HostPathFor(name));
        Assert.ThrowsAny<ArgumentException>(() => writer.BackupHostPathFor(name));
        Assert.ThrowsAny<ArgumentException>(() => writer.Render(new PfNetworkSettings(name, true, null)));
        Assert.ThrowsAny<ArgumentException>(() => writer.Parse(PfNetworkWriter.Header, name));
    }

    [Theory]
    [MemberData(nameof(ManagersAndSettings))]
    public void HostPathFor_IsAlwaysDirectlyInTheWritersDirectory_AndNamesSriovps(string manager, string name, bool up, int? mtu)
    {
        var writer = WriterFor(manager);
        var settings = new PfNetworkSettings(name, up, mtu);

        foreach (string path in new[] { writer.HostPathFor(settings.InterfaceName), writer.BackupHostPathFor(settings.InterfaceName) })
        {
            Assert.Equal(writer.Directory, System.IO.Path.GetDirectoryName(path));
            Assert.Contains("sriovps", System.IO.Path.GetFileName(path), StringComparison.Ordinal);
            Assert.Contains(settings.InterfaceName, System.IO.Path.GetFileName(path), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Render_RefusesAnMtuOutOfRange(string manager)
    {
        var writer = WriterFor(manager);

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Render(new PfNetworkSettings("eno49", true, PfNetworkSettings.MinMtu - 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Render(new PfNetworkSettings("eno49", true, PfNetworkSettings.MaxMtu + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Render(new PfNetworkSettings("eno49", true, 0)));
    }

    [Fact]
    public void For_None_HasNoWriter()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PfNetworkWriter.For(HostNetworkManager.None));
    }

    [Fact]
    public void Summary_SaysLinkStateNoAddressAndMtu()
    {
        Assert.Equal("up, no address, MTU 9000", new PfNetworkSettings("eno49", true, 9000).Summary);
        Assert.Equal("down, no address, the driver's default MTU", new PfNetworkSettings("eno49", false, null).Summary);
    }

    internal static PfNetworkWriter WriterFor(string manager) => PfNetworkWriter.For(Enum.Parse<HostNetworkManager>(manager));
}
