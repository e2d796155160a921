using System;
using System.IO;
using System.Text;

namespace SriovPS.Tests.Support;

/// <summary>
/// A host laid out like real sysfs: PFs on their own buses behind root ports, each with VFs at
/// offset 0x80 stride 1 (bus:10.0 … bus:1f.7 for 128), bound to a VF driver with an interface,
/// every function in its own IOMMU group, plus the host bridge and root ports discovery must skip.
/// </summary>
internal static class SyntheticHost
{
    public static string Create(string parent, int pfCount, int vfsPerPf)
    {
        string root = Directory.CreateDirectory(Path.Combine(parent, "sriovps-synthetic-" + Guid.NewGuid().ToString("N"))).FullName;
        int group = 0, ifindex = 2;
        Directory.CreateDirectory(root + "/sys/bus/pci/drivers/igb");
        Directory.CreateDirectory(root + "/sys/bus/pci/drivers/igbvf");
        Directory.CreateDirectory(root + "/sys/class/net");
        Directory.CreateDirectory(root + "/sys/kernel/iommu_groups");
        Device(root, "/sys/devices/pci0000:00/0000:00:00.0", "0x060000", "0x2f00", null, group++);
        for (int p = 0; p < pfCount; p++)
        {
            string port = $"/sys/devices/pci0000:00/0000:00:{p + 1:x2}.0";
            Device(root, port, "0x060400", "0x2f02", null, group++);
            int bus = 0x10 + p;
            string pfAddress = $"0000:{bus:x2}:00.0";
            string pf = $"{port}/{pfAddress}";
            Device(root, pf, "0x020000", "0x1521", "igb", group++);
            Write(root, pf + "/sriov_totalvfs", vfsPerPf.ToString());
            Write(root, pf + "/sriov_numvfs", vfsPerPf.ToString());
            Write(root, pf + "/sriov_drivers_autoprobe", "1");
            Netdev(root, pf, $"ens{p + 1}f0", ifindex++);
            for (int v = 0; v < vfsPerPf; v++)
            {
                int devfn = 0x80 + v;
                string vfAddress = $"0000:{bus:x2}:{devfn >> 3:x2}.{devfn & 7}";
                string vf = $"{port}/{vfAddress}";
                Device(root, vf, "0x020000", "0x1520", "igbvf", group++);
                Link(root, $"{pf}/virtfn{v}", "../" + vfAddress);
                Link(root, $"{vf}/physfn", "../" + pfAddress);
                Netdev(root, vf, $"ens{p + 1}f0v{v}", ifindex++);
            }
        }

        return root;
    }

    private static void Device(string root, string path, string pciClass, string device, string? driver, int group)
    {
        string address = Path.GetFileName(path);
        string up = string.Concat(System.Linq.Enumerable.Repeat("../", path.Split('/').Length - 2));
        Write(root, path + "/class", pciClass);
        Write(root, path + "/vendor", "0x8086");
        Write(root, path + "/device", device);
        Write(root, path + "/numa_node", "0");
        Link(root, "/sys/bus/pci/devices/" + address, "../../.." + path[4..]);
        Link(root, path + "/iommu_group", up + "kernel/iommu_groups/" + group);
        Link(root, $"/sys/kernel/iommu_groups/{group}/devices/{address}", "../../../.." + path[4..]);
        if (driver is not null)
        {
            Link(root, path + "/driver", up + "bus/pci/drivers/" + driver);
        }
    }

    private static void Netdev(string root, string device, string name, int ifindex)
    {
        string net = $"{device}/net/{name}";
        Write(root, net + "/address", $"02:00:00:{ifindex >> 16 & 0xff:x2}:{ifindex >> 8 & 0xff:x2}:{ifindex & 0xff:x2}");
        Write(root, net + "/mtu", "1500");
        Write(root, net + "/operstate", "up");
        Write(root, net + "/flags", "0x1003");
        Link(root, "/sys/class/net/" + name, "../.." + net[4..]);
    }

    private static void Write(string root, string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(root + path)!);
        File.WriteAllText(root + path, text + "\n", Encoding.ASCII);
    }

    private static void Link(string root, string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(root + path)!);
        File.CreateSymbolicLink(root + path, target);
    }
}
