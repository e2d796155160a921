using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using SriovPS.Kernel;
using SriovPS.Native.Netlink;

namespace SriovPS.Bench;

/// <summary>
/// Decoding the kernel's RTM_NEWLINK for a PF with 256 VFs, statistics skipped as Get-SriovVf asks:
/// about 52 KB in the kernel's own layout, every VF with a MAC, a VLAN and rates set. The receive
/// buffer is the socket's and is not counted. Target: 200 µs and 64 KiB allocated per decode.
/// </summary>
[MemoryDiagnoser]
public class NetlinkDecodeBenchmarks
{
    public const int Vfs = 256;

    private byte[] _reply = [];

    [GlobalSetup]
    public void Setup()
    {
        _reply = Reply(Vfs);
        var decoded = LinkMessage.Decode(_reply);
        if (decoded.Vfs.Count != Vfs || decoded.VfListTruncated)
        {
            throw new InvalidOperationException($"The synthetic reply should decode to {Vfs} VFs.");
        }
    }

    [Benchmark(Description = "Decode RTM_NEWLINK, 256 VFs")]
    public int Decode() => LinkMessage.Decode(_reply).Vfs.Count;

    /// <summary>The same decode plus the mapping to what SriovVf shows (MAC strings, enums).</summary>
    [Benchmark(Description = "Decode and map to SriovVf settings, 256 VFs")]
    public int DecodeAndMap()
    {
        int mapped = 0;
        foreach (var vf in LinkMessage.Decode(_reply).Vfs)
        {
            if (KernelLinkMapping.FormatAddress(vf.MacAddress) is not null && KernelLinkMapping.ToVlanProtocol(vf) is not null)
            {
                mapped++;
            }
        }

        return mapped;
    }

    /// <summary>A kernel-shaped reply: attribute order and struct sizes as Linux 6.12 sends them.</summary>
    internal static byte[] Reply(int vfs)
    {
        var link = new LinkInfo
        {
            Index = 4,
            DeviceType = 1,
            Flags = 0x1003,
            Name = "eno49",
            Mtu = 1500,
            OperState = 6,
            Address = [0x9c, 0xdc, 0x71, 0x5e, 0x0f, 0xa0],
            Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            NumVfs = vfs,
            HasVfList = true,
            Vfs = Enumerable.Range(0, vfs).Select(index => new VfInfo
            {
                Index = index,
                MacAddress = [0x52, 0x54, 0x00, 0x3a, (byte)(index >> 8), (byte)index],
                Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Vlan = (uint)(100 + index),
                Qos = 3,
                VlanProtocol = IfLink.EthP8021Q,
                MinTxRate = 0,
                MaxTxRate = 1000,
                TxRate = 1000,
                SpoofCheck = true,
                LinkState = IfLink.IFLA_VF_LINK_STATE_AUTO,
                Trust = false,
            }).ToList(),
        };
        return LinkMessageEncoder.Encode(link).Message.ToArray();
    }
}
