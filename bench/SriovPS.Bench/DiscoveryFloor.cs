using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using SriovPS.Native;

namespace SriovPS.Bench;

/// <summary>
/// The floor discovery is measured against: the same facts as Get-SriovPf | Get-SriovVf, gathered
/// with nothing but open/read/close, readlink and opendir/readdir into stack buffers: no objects,
/// no strings, no parsing beyond the VF count. What the core costs above this is its own.
/// </summary>
internal static unsafe partial class DiscoveryFloor
{
    private static readonly byte[] Devices = "/sys/bus/pci/devices/"u8.ToArray();
    private static readonly byte[] ClassNet = "/sys/class/net/"u8.ToArray();
    private static readonly byte[][] DeviceAttributes =
        ["/numa_node"u8.ToArray(), "/vendor"u8.ToArray(), "/device"u8.ToArray(), "/sriov_drivers_autoprobe"u8.ToArray()];
    private static readonly byte[][] InterfaceAttributes =
        ["/operstate"u8.ToArray(), "/address"u8.ToArray(), "/mtu"u8.ToArray(), "/flags"u8.ToArray()];

    /// <summary>Returns the number of VFs seen, so the work cannot be optimized away.</summary>
    public static int Run(string root, bool withVfs)
    {
        byte[] rootBytes = Encoding.UTF8.GetBytes(root);
        var pfs = new List<(byte[] Address, int NumVfs)>();
        Span<byte> path = stackalloc byte[4096];
        Span<byte> buffer = stackalloc byte[4096];

        foreach (var device in List(Join(path, rootBytes, Devices, [])))
        {
            if (ReadFile(Join(path, rootBytes, Devices, device, "/sriov_totalvfs"u8), buffer) < 0)
            {
                continue;
            }

            ReadFile(Join(path, rootBytes, Devices, device, "/class"u8), buffer);
            int numVfs = ParseInt(buffer[..ReadFile(Join(path, rootBytes, Devices, device, "/sriov_numvfs"u8), buffer)]);
            foreach (var attribute in DeviceAttributes)
            {
                ReadFile(Join(path, rootBytes, Devices, device, attribute), buffer);
            }

            ReadLink(Join(path, rootBytes, Devices, device, "/driver"u8), buffer);
            ReadLink(Join(path, rootBytes, Devices, device, "/iommu_group"u8), buffer);
            foreach (var netdev in List(Join(path, rootBytes, Devices, device, "/net"u8)))
            {
                foreach (var attribute in InterfaceAttributes)
                {
                    ReadFile(Join(path, rootBytes, ClassNet, netdev, attribute), buffer);
                }
            }

            pfs.Add((device, numVfs));
        }

        if (!withVfs)
        {
            return pfs.Count;
        }

        // Interface names of VFs: one readlink per /sys/class/net entry.
        foreach (var netdev in List(Join(path, rootBytes, ClassNet, [])))
        {
            ReadLink(Join(path, rootBytes, ClassNet, netdev), buffer);
        }

        int vfs = 0;
        Span<byte> vfPath = stackalloc byte[4096];
        Span<byte> virtfn = stackalloc byte[32];
        Span<byte> vfAddress = stackalloc byte[64];
        "/virtfn"u8.CopyTo(virtfn);
        foreach (var (address, numVfs) in pfs)
        {
            for (int index = 0; index < numVfs; index++)
            {
                index.TryFormat(virtfn[7..], out int digits);
                int length = ReadLink(Join(path, rootBytes, Devices, address, virtfn[..(7 + digits)]), buffer);
                if (length < 0)
                {
                    continue;
                }

                // The target reads "../0000:bb:dd.f".
                buffer[3..length].CopyTo(vfAddress);
                var vf = vfAddress[..(length - 3)];
                ReadLink(Join(vfPath, rootBytes, Devices, vf, "/driver"u8), buffer);
                ReadLink(Join(vfPath, rootBytes, Devices, vf, "/iommu_group"u8), buffer);
                vfs++;
            }
        }

        return vfs;
    }

    private static Span<byte> Join(Span<byte> path, ReadOnlySpan<byte> root, ReadOnlySpan<byte> directory, ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix = default)
    {
        int length = 0;
        root.CopyTo(path);
        length += root.Length;
        directory.CopyTo(path[length..]);
        length += directory.Length;
        name.CopyTo(path[length..]);
        length += name.Length;
        suffix.CopyTo(path[length..]);
        length += suffix.Length;
        path[length] = 0;
        return path[..(length + 1)];
    }

    private static int ReadFile(Span<byte> path, Span<byte> buffer)
    {
        fixed (byte* p = path)
        fixed (byte* b = buffer)
        {
            using var fd = Interop.Libc.Open(p, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0);
            if (fd.IsInvalid)
            {
                return -1;
            }

            int read = (int)Interop.Libc.Read(fd, b, (nuint)buffer.Length);
            return Math.Max(read, 0);
        }
    }

    private static int ReadLink(Span<byte> path, Span<byte> buffer)
    {
        fixed (byte* p = path)
        fixed (byte* b = buffer)
        {
            return (int)Interop.Libc.ReadLink(p, b, (nuint)buffer.Length);
        }
    }

    private static int ParseInt(ReadOnlySpan<byte> text)
    {
        int value = 0;
        foreach (byte c in text)
        {
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                value = value * 10 + c - '0';
            }
        }

        return value;
    }

    /// <summary>The entries of a directory but . and .., read with opendir/readdir.</summary>
    private static List<byte[]> List(Span<byte> path)
    {
        var names = new List<byte[]>();
        nint directory;
        fixed (byte* p = path)
        {
            directory = OpenDir(p);
        }

        if (directory == 0)
        {
            return names;
        }

        for (nint entry = ReadDir(directory); entry != 0; entry = ReadDir(directory))
        {
            // struct dirent on 64-bit glibc: d_ino, d_off (8 bytes each), d_reclen (2), d_type (1), d_name.
            var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + 19);
            if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
            {
                names.Add(name.ToArray());
            }
        }

        CloseDir(directory);
        return names;
    }

    [LibraryImport("libc.so.6", EntryPoint = "opendir")]
    private static partial nint OpenDir(byte* path);

    [LibraryImport("libc.so.6", EntryPoint = "readdir")]
    private static partial nint ReadDir(nint directory);

    [LibraryImport("libc.so.6", EntryPoint = "closedir")]
    private static partial int CloseDir(nint directory);
}
