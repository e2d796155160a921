using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using SriovPS.Native.Netlink;
using SriovPS.Snapshot;
using SriovPS.VfCount;
using Xunit;

namespace SriovPS.Tests.Snapshot;

/// <summary>
/// kernel.json: what netlink, devlink and the holder scan saw, written and read back unchanged, so
/// a snapshot's VFs report the same settings and owners as the live host did.
/// </summary>
public sealed class SavedKernelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sriovps-kernel-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string FilePath => Path.Combine(_directory, SavedKernel.FileName);

    private static VfInfo Vf(int index, bool statistics = true) => new()
    {
        Index = index,
        MacAddress = [0x52, 0x54, 0x00, 0xab, 0xcd, (byte)index],
        Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        Vlan = 4094,
        Qos = 7,
        VlanProtocol = 0x88a8,
        TxRate = 10000,
        MinTxRate = 100,
        MaxTxRate = 10000,
        SpoofCheck = index % 2 == 0,
        LinkState = 2,
        RssQuery = true,
        Trust = false,
        NodeGuid = 0xfedcba9876543210UL + (ulong)index,
        PortGuid = ulong.MaxValue - (ulong)index,
        Statistics = statistics
            ? new VfStatistics
            {
                RxPackets = 1, TxPackets = 2, RxBytes = ulong.MaxValue, TxBytes = 4, Broadcast = 5, Multicast = 6, RxDropped = 7, TxDropped = 8,
            }
            : null,
    };

    private static LinkInfo Pf(string name, int index) => new()
    {
        Index = index,
        DeviceType = 1,
        Flags = 0x11043,
        Name = name,
        Address = [0x3c, 0xfd, 0xfe, 0x01, 0x02, (byte)index],
        PermanentAddress = [0x3c, 0xfd, 0xfe, 0x01, 0x02, 0xee],
        Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        Mtu = 9000,
        OperState = 6,
        Link = 2,
        NumVfs = 3,
        HasVfList = true,
        VfListTruncated = true,
        Vfs = [Vf(0), Vf(1), Vf(2)],
    };

    private static SavedKernel Sample()
    {
        var saved = new SavedKernel();
        saved.Links["eno49"] = Pf("eno49", 4);
        saved.Links["eno50"] = new LinkInfo { Index = 5, Name = "eno50", Address = [], HasVfList = false };
        saved.Addresses["eno49"] = ["192.168.7.20/24", "fe80::3efd:feff:fe01:204/64"];
        saved.Addresses["eno50"] = [];
        saved.EswitchModes["0000:04:00.0"] = EswitchMode.Switchdev;
        saved.EswitchModes["0000:04:00.1"] = EswitchMode.Legacy;
        int pid = 4100;
        foreach (var kind in Enum.GetValues<VfHoldKind>())
        {
            saved.Holders.Add(new SavedHolder("0000:04:00.0", new VfHolder(kind, 1, "0000:04:10.4", pid++, "qemu-system-x86_64 -name guest=vm1", "/dev/vfio/42")));
        }

        // A vfio device the kernel does not attribute to a VF.
        saved.Holders.Add(new SavedHolder("0000:04:00.1", new VfHolder(VfHoldKind.VfioDevice, null, null, 4200, "dpdk-testpmd", null)));
        return saved;
    }

    [Fact]
    public void TheSample_SetsEveryFieldOfALinkAndAVf()
    {
        // So the round trip below covers a field added later too.
        Assert.DoesNotContain(null, Fields(Pf("eno49", 4)).Select(f => f.Value));
        Assert.DoesNotContain(null, Fields(Vf(0)).Select(f => f.Value));
    }

    [Fact]
    public void WrittenAndRead_EveryLinkAndVfFieldIsEqual()
    {
        var saved = Sample();
        saved.Write(FilePath);
        var read = SavedKernel.Read(FilePath);

        Assert.Equal(saved.Links.Keys.Order(), read.Links.Keys.Order());
        foreach (var (name, link) in saved.Links)
        {
            Assert.Equal(Fields(link), Fields(read.Links[name]));
            Assert.Equal(link.Vfs.Count, read.Links[name].Vfs.Count);
            for (int i = 0; i < link.Vfs.Count; i++)
            {
                Assert.Equal(Fields(link.Vfs[i]), Fields(read.Links[name].Vfs[i]));
                Assert.Equal(Fields(link.Vfs[i].Statistics!), Fields(read.Links[name].Vfs[i].Statistics!));
            }
        }

        Assert.Equal((ushort)0x88a8, read.Links["eno49"].Vfs[0].VlanProtocol);
        Assert.Equal(ulong.MaxValue, read.Links["eno49"].Vfs[0].PortGuid);
    }

    [Fact]
    public void WrittenAndRead_AddressesEswitchModesAndHoldersAreEqual()
    {
        var saved = Sample();
        saved.Write(FilePath);
        var read = SavedKernel.Read(FilePath);

        Assert.Equal(saved.Addresses.OrderBy(a => a.Key), read.Addresses.OrderBy(a => a.Key));
        Assert.Equal(saved.EswitchModes.OrderBy(m => m.Key), read.EswitchModes.OrderBy(m => m.Key));
        Assert.Equal(saved.Holders, read.Holders);
        Assert.Equal(Enum.GetValues<VfHoldKind>(), read.Holders.Select(h => h.Holder.Kind).Distinct());
        Assert.Null(read.Holders[^1].Holder.VfIndex);
        Assert.Null(read.Holders[^1].Holder.VfPciAddress);
    }

    [Fact]
    public void UnsetFields_StayUnset()
    {
        var saved = new SavedKernel();
        saved.Links["eth0"] = new LinkInfo { Index = 2, Name = "eth0", HasVfList = true, Vfs = [new VfInfo { Index = 0 }] };
        saved.Write(FilePath);
        var read = SavedKernel.Read(FilePath);

        Assert.Equal(Fields(saved.Links["eth0"]), Fields(read.Links["eth0"]));
        Assert.Equal(Fields(saved.Links["eth0"].Vfs[0]), Fields(read.Links["eth0"].Vfs[0]));
    }

    [Fact]
    public void Link_WithoutVfs_HasNoVfList()
    {
        var saved = Sample();
        var link = saved.Link("eno49", vfs: false, statistics: true)!;

        Assert.Empty(link.Vfs);
        Assert.False(link.HasVfList);
        Assert.False(link.VfListTruncated);
        Assert.Equal(3, link.NumVfs);
        Assert.Equal(9000u, link.Mtu);
    }

    [Fact]
    public void Link_WithoutStatistics_DropsOnlyTheCounters()
    {
        var saved = Sample();
        var link = saved.Link("eno49", vfs: true, statistics: false)!;

        Assert.All(link.Vfs, vf => Assert.Null(vf.Statistics));
        Assert.Equal(
            saved.Links["eno49"].Vfs.Select(vf => Fields(vf).Where(f => f.Name != "Statistics?").ToList()),
            link.Vfs.Select(vf => Fields(vf).Where(f => f.Name != "Statistics?").ToList()));
        Assert.NotNull(saved.Links["eno49"].Vfs[0].Statistics);
        Assert.NotNull(saved.Link("eno49", vfs: true, statistics: true)!.Vfs[0].Statistics);
        Assert.Null(saved.Link("eno51", vfs: true, statistics: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"links": [], "addresses": {}, "eswitchModes": {}}""")]
    [InlineData("""{"links": [{"name": "eno49"}], "addresses": {}, "eswitchModes": {}, "holders": []}""")]
    [InlineData("""{"links": [], "addresses": {"eno49": "10.0.0.1/24"}, "eswitchModes": {}, "holders": []}""")]
    [InlineData("""{"links": [], "addresses": {}, "eswitchModes": {}, "holders": [{"pf": "0000:04:00.0", "kind": "Borrowed"}]}""")]
    [InlineData("""{"links": [{"name": "eno49", "ifindex": 4, "type": 1, "flags": 0, "address": "zz:00", "vfListReported": false, "vfListTruncated": false, "vfinfo_list": []}], "addresses": {}, "eswitchModes": {}, "holders": []}""")]
    [InlineData("""{"links": [{"name": "eno49", "ifindex": 4, "type": 1, "flags": 0, "vfListReported": true, "vfListTruncated": false, "vfinfo_list": [{"vf": 0, "stats": {"rx_packets": -1}}]}], "addresses": {}, "eswitchModes": {}, "holders": []}""")]
    public void Read_AMalformedFile_IsAFormatException(string json)
    {
        File.WriteAllText(FilePath, json);

        var error = Assert.Throws<FormatException>(() => SavedKernel.Read(FilePath));
        Assert.Contains(FilePath, error.Message, StringComparison.Ordinal);
    }

    // A number that does not fit its field (mtu, num_vf, operstate) is a FormatException, so a damaged
    // file is refused rather than read as other values.
    [Theory]
    [InlineData("\"mtu\": 4294967297")]
    [InlineData("\"num_vf\": 4294967303")]
    [InlineData("\"operstate\": 262")]
    public void Read_ANumberOutOfItsFieldsRange_IsAFormatException(string field)
    {
        File.WriteAllText(FilePath, $$"""{"links": [{"name": "eno49", "ifindex": 4, "type": 1, "flags": 0, {{field}}, "vfListReported": false, "vfListTruncated": false, "vfinfo_list": []}], "addresses": {}, "eswitchModes": {}, "holders": []}""");

        Assert.Throws<FormatException>(() => SavedKernel.Read(FilePath));
    }

    /// <summary>Every property (public or not) of a netlink object, byte arrays as text, for field-by-field comparison.</summary>
    private static List<(string Name, object? Value)> Fields(object item) =>
        item.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.PropertyType != typeof(IReadOnlyList<VfInfo>) && p.PropertyType != typeof(VfStatistics))
            .Select(p => (p.Name, Normalize(p.GetValue(item))))
            .Concat(item is VfInfo vf ? [("Statistics?", (object?)(vf.Statistics is null))] : [])
            .ToList();

    private static object? Normalize(object? value) => value switch
    {
        byte[] bytes => "bytes:" + Convert.ToHexString(bytes),
        IEnumerable list and not string => string.Join(",", list.Cast<object>()),
        _ => value,
    };
}
