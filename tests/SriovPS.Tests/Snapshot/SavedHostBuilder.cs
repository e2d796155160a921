using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Native.Netlink;
using SriovPS.Snapshot;

namespace SriovPS.Tests.Snapshot;

/// <summary>One VF a guest holds: through a pool (a network port), or as a fixed hostdev.</summary>
internal sealed record HeldVf(string PciAddress, string Mac, string? Pool);

/// <summary>
/// Builds what a live host's snapshot holds beside its files: the kernel's account of the PFs and
/// libvirt's XML, written as libvirt and the kernel give them, so a snapshot of a copied tree can be
/// made into the snapshot of a running host.
/// </summary>
internal static class SavedHostBuilder
{
    public const string Uri = "qemu:///system";

    /// <summary>A PF's link as netlink reports it with its VFs: every VF with its own MAC, VLAN, rates, trust and counters.</summary>
    public static LinkInfo Link(string name, int ifindex, byte[] mac, int vfs, Func<int, VfInfo>? vf = null) => new()
    {
        Index = ifindex,
        DeviceType = 1,
        Flags = 0x1003,
        Name = name,
        Address = mac,
        PermanentAddress = mac,
        Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        Mtu = 9000,
        OperState = 6,
        NumVfs = vfs,
        HasVfList = true,
        Vfs = Enumerable.Range(0, vfs).Select(i => vf?.Invoke(i) ?? Vf(ifindex, i)).ToList(),
    };

    /// <summary>VF <paramref name="index"/> of the PF at <paramref name="ifindex"/> as a busy host reports it.</summary>
    public static VfInfo Vf(int ifindex, int index) => new()
    {
        Index = index,
        MacAddress = [0x52, 0x54, 0x00, (byte)ifindex, (byte)(index >> 8), (byte)index],
        Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        Vlan = (uint)(100 + index),
        Qos = (uint)(index % 8),
        VlanProtocol = 0x8100,
        TxRate = (uint)(1000 + (10 * index)),
        MinTxRate = (uint)(10 * (index % 5)),
        MaxTxRate = (uint)(1000 + (10 * index)),
        SpoofCheck = index % 2 == 0,
        LinkState = (uint)(index % 3),
        RssQuery = false,
        Trust = index % 3 == 0,
        Statistics = new VfStatistics
        {
            RxPackets = (ulong)(123_456_789 + (index * 7919)),
            TxPackets = (ulong)(98_765_432 + (index * 104_729)),
            RxBytes = (ulong)(183_456_789_012 + (index * 15_485_863L)),
            TxBytes = (ulong)(93_765_432_101 + (index * 32_452_843L)),
            Broadcast = (ulong)(1000 + index),
            Multicast = (ulong)(20_000 + (index * 3)),
            RxDropped = (ulong)(index % 17),
            TxDropped = (ulong)(index % 13),
        },
    };

    public static string Uuid(int kind, int number) => $"{kind:x8}-1a2b-4c3d-8e4f-{number:x12}";

    /// <summary>A hostdev pool over one PF, as net-dumpxml --inactive gives it.</summary>
    public static string PoolDefinition(string name, int number, string pf) => $"""
        <network>
          <name>{name}</name>
          <uuid>{Uuid(1, number)}</uuid>
          <forward mode='hostdev' managed='yes'>
            <pf dev='{pf}'/>
          </forward>
        </network>

        """;

    /// <summary>The same pool running: libvirt lists the PF's VFs and counts the guests plugged in.</summary>
    public static string PoolRunning(string name, int number, string pf, IEnumerable<string> vfs, int connections) => $"""
        <network connections='{connections}'>
          <name>{name}</name>
          <uuid>{Uuid(1, number)}</uuid>
          <forward mode='hostdev' managed='yes'>
            <pf dev='{pf}'/>
        {string.Concat(vfs.Select(vf => $"    {Address(vf)}\n"))}  </forward>
        </network>

        """;

    /// <summary>A network port of a running pool: the guest and the VF it was given.</summary>
    public static string Port(int number, string guest, int guestNumber, HeldVf vf) => $"""
        <networkport>
          <uuid>{Uuid(3, number)}</uuid>
          <owner>
            <name>{guest}</name>
            <uuid>{Uuid(2, guestNumber)}</uuid>
          </owner>
          <mac address='{vf.Mac}'/>
          <plug type='hostdev-pci' managed='yes' driver='vfio'>
            {Address(vf.PciAddress, "")}
          </plug>
        </networkport>

        """;

    /// <summary>A guest with SR-IOV interfaces; <paramref name="running"/> gives its live XML, where a pool's interface shows the VF it was given.</summary>
    public static string Guest(string name, int number, IEnumerable<HeldVf> vfs, bool running)
    {
        var devices = vfs.Select((vf, slot) => vf.Pool is { } pool
            ? running
                ? $"""
                    <interface type='hostdev' managed='yes'>
                      <mac address='{vf.Mac}'/>
                      <driver name='vfio'/>
                      <source>
                        {Address(vf.PciAddress)}
                      </source>
                      <alias name='hostdev{slot}'/>
                      <address type='pci' domain='0x0000' bus='0x{slot + 1:x2}' slot='0x00' function='0x0'/>
                    </interface>
                """
                : $"""
                    <interface type='network'>
                      <mac address='{vf.Mac}'/>
                      <source network='{pool}'/>
                      <address type='pci' domain='0x0000' bus='0x{slot + 1:x2}' slot='0x00' function='0x0'/>
                    </interface>
                """
            : $"""
                    <hostdev mode='subsystem' type='pci' managed='yes'>
                      <source>
                        {Address(vf.PciAddress, "")}
                      </source>
                      <address type='pci' domain='0x0000' bus='0x{slot + 1:x2}' slot='0x00' function='0x0'/>
                    </hostdev>
                """);
        return $"""
            <domain type='kvm'{(running ? " id='7'" : "")}>
              <name>{name}</name>
              <uuid>{Uuid(2, number)}</uuid>
              <memory unit='KiB'>4194304</memory>
              <vcpu placement='static'>2</vcpu>
              <os>
                <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>
                <boot dev='hd'/>
              </os>
              <features><acpi/><apic/></features>
              <cpu mode='host-passthrough' check='none' migratable='on'/>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/libvirt/images/{name}.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <controller type='pci' index='0' model='pcie-root'/>
            {string.Concat(devices)}    <console type='pty'/>
              </devices>
            </domain>

            """;
    }

    /// <summary>A pool per PF, running, with the ports of the guests on it.</summary>
    public static HostdevNetworkState Pool(string name, int number, string pf, IReadOnlyList<string> vfs, IReadOnlyList<(string Guest, int GuestNumber, HeldVf Vf)> ports) =>
        HostdevNetworkState.FromXml(name, active: true, autostart: true, persistent: true, new LibvirtXml(
            PoolDefinition(name, number, pf),
            PoolRunning(name, number, pf, vfs, ports.Count),
            ports.Select((p, i) => Port((number * 1000) + i, p.Guest, p.GuestNumber, p.Vf)).ToList()))!;

    public static GuestState RunningGuest(string name, int number, IReadOnlyList<HeldVf> vfs) =>
        GuestState.FromXml(name, active: true, new LibvirtXml(Guest(name, number, vfs, running: false), Guest(name, number, vfs, running: true)));

    /// <summary>
    /// Turns the snapshot directory <paramref name="snapshot"/> (of a copied tree) into one of a live
    /// host: <paramref name="kernel"/> as its kernel.json, <paramref name="inventory"/> as its libvirt,
    /// and a manifest that says both were read.
    /// </summary>
    public static void AddLiveParts(string snapshot, SavedKernel kernel, LibvirtInventory inventory)
    {
        var taken = SriovHostSnapshot.Read(snapshot);
        kernel.Write(Path.Combine(snapshot, SavedKernel.FileName));
        SavedLibvirt.Write(snapshot, Uri, inventory);
        var pools = inventory.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        new SriovHostSnapshot
        {
            HostName = taken.HostName ?? "node07",
            TakenAt = taken.TakenAt,
            KernelRelease = taken.KernelRelease ?? "6.1.0-28-amd64",
            ModuleVersion = taken.ModuleVersion,
            LibvirtUri = Uri,
            KernelRead = true,
            Pfs = taken.Pfs,
            Networks = [.. pools],
            Guests = inventory.Guests.Where(g => g.UsesSriov(pools)).Select(g => g.Name).ToArray(),
            Files = taken.Files,
            Unread = [],
            Redacted = taken.Redacted,
        }.Write(snapshot);
    }

    private static string Address(string pci, string type = "type='pci' ")
    {
        var parts = pci.Split(':', '.');
        return $"<address {type}domain='0x{parts[0]}' bus='0x{parts[1]}' slot='0x{parts[2]}' function='0x{parts[3]}'/>";
    }
}
