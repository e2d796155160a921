using System.Text;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Native.Netlink;
using SriovPS.Values;
using SriovPS.VfCount;

namespace SriovPS.Discovery;

/// <summary>
/// Finds SR-IOV PFs and their VFs: one pass over <c>/sys/bus/pci/devices</c> that probes each
/// function for <c>sriov_totalvfs</c> first (one failed open for the thousands of functions that are
/// not PFs), then reads only the attributes the objects carry; on the live host, what only the kernel
/// knows (VF settings, the eswitch mode) comes from one netlink request per PF. A device that
/// disappears while it is read is skipped and reported as a note, never thrown.
/// </summary>
internal sealed class SriovDiscovery
{
    internal const string PciDevices = "/sys/bus/pci/devices";
    internal const string ClassNet = "/sys/class/net";

    // PCI base class 0x02: network controller (include/linux/pci_ids.h, PCI_BASE_CLASS_NETWORK).
    private const int NetworkBaseClass = 0x02;

    // IFF_UP (include/uapi/linux/if.h): the administrative state libvirt calls "online".
    internal const int IffUp = 0x1;

    private readonly HostFileSystem _files;
    private readonly PciIdDatabase? _ids;
    private readonly IHostReport? _report;
    private readonly KernelLinks? _links;
    private readonly EswitchModes? _eswitch;
    private readonly NetdevFeatures? _features;
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _netdevByDevice;

    /// <param name="links">The live kernel over netlink; <c>null</c> for a copied host tree.</param>
    /// <param name="eswitch">The live kernel's devlink; <c>null</c> for a copied host tree.</param>
    /// <param name="features">The live kernel's ethtool netlink, or a snapshot's saved features; <c>null</c> for a copied host tree.</param>
    internal SriovDiscovery(
        HostFileSystem files, PciIdDatabase? ids = null, IHostReport? report = null, KernelLinks? links = null, EswitchModes? eswitch = null,
        NetdevFeatures? features = null)
    {
        _features = features;
        _files = files;
        _ids = ids;
        _report = report;
        _links = links;
        _eswitch = eswitch;
    }

    /// <summary>Discovery from sysfs alone, as completion uses it while a command is typed: no kernel socket, no notes.</summary>
    internal static SriovDiscovery SysfsOnly(HostContext host) => new(host.Files);

    /// <summary>
    /// Every SR-IOV-capable network PF in PCI address order; with <paramref name="includeNotCapable"/>
    /// also the network functions without SR-IOV (not VFs), marked <see cref="SriovSupport.NotCapable"/>.
    /// With <paramref name="kernelState"/> (and a live host), link state, MAC and MTU come from netlink,
    /// and each SR-IOV PF's eswitch mode from devlink (one request per PF, none once the kernel has
    /// said it has no devlink).
    /// </summary>
    internal List<SriovPf> GetPfs(bool includeNotCapable = false, bool kernelState = false)
    {
        var addresses = _files.ListNames(PciDevices);
        addresses.RemoveAll(static a => !PciAddress.IsValid(a));
        addresses.Sort(StringComparer.Ordinal);

        var pfs = new List<SriovPf>();
        foreach (var address in addresses)
        {
            string device = DevicePath(address);
            int totalVfs = ReadInt(device, "sriov_totalvfs");
            if (totalVfs < 0 && !includeNotCapable)
            {
                continue;
            }

            if (!IsNetworkClass(device) || (totalVfs < 0 && IsVirtualFunction(device)))
            {
                continue;
            }

            var pf = ReadPf(address, device, Math.Max(totalVfs, 0), capable: totalVfs >= 0, kernelState);
            if (pf is not null)
            {
                pfs.Add(pf);
            }
        }

        return pfs;
    }

    /// <summary>
    /// The VFs of a PF, from its <c>virtfnN</c> links as they are now, in index order, with the
    /// settings the PF holds for each (and their counters, when <paramref name="statistics"/>).
    /// </summary>
    internal List<SriovVf> GetVfs(SriovPf pf, bool statistics = false)
    {
        string device = DevicePath(pf.PciAddress);
        int numVfs = ReadInt(device, "sriov_numvfs");
        var vfs = new List<SriovVf>(Math.Max(numVfs, 0));
        if (numVfs <= 0)
        {
            return vfs;
        }

        // One readlink per /sys/class/net entry, once per command, costs less than listing the net/
        // directory of every VF (four calls each) as soon as a host has a few VFs.
        var netdevs = NetdevMap();
        var settings = KernelVfSettings(pf, statistics);
        Span<char> link = stackalloc char[16];
        for (int index = 0; index < numVfs; index++)
        {
            "virtfn".CopyTo(link);
            index.TryFormat(link[6..], out int digits, provider: CultureInfo.InvariantCulture);
            string? address = _files.ReadLinkName(device, link[..(6 + digits)]);
            if (address is null || !PciAddress.IsValid(address))
            {
                _report?.Note($"Skipped virtfn{index} of {pf.PciAddress}: the VF vanished while it was read.");
                continue;
            }

            string vfDevice = DevicePath(address);
            string? driver = Intern(_files.ReadLinkName(vfDevice, "driver"));
            int? group = ReadLinkNumber(vfDevice, "iommu_group");
            vfs.Add(KernelLinkMapping.CreateVf(
                pf.PciAddress,
                address,
                pf.Name,
                index,
                settings?.GetValueOrDefault(index),
                netdevs.GetValueOrDefault(address),
                driver,
                group,
                VfioDeviceOf(driver, group)));
        }

        return vfs;
    }

    /// <summary>The vfio group node of a VF on a vfio driver, when it exists; nothing is read for other VFs.</summary>
    private string? VfioDeviceOf(string? driver, int? group)
    {
        if (group is not int number || !VfHolderScan.IsVfioDriver(driver))
        {
            return null;
        }

        string node = VfioDevicePath(number);
        return _files.Exists(node) ? node : null;
    }

    /// <summary>The character device of IOMMU group <paramref name="group"/>, <c>/dev/vfio/N</c>.</summary>
    internal static string VfioDevicePath(int group) => "/dev/vfio/" + group.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Forgets which interface each PCI function has, read once per command, after something (a driver
    /// rebind) may have created or renamed interfaces.
    /// </summary>
    internal void ForgetInterfaces() => _netdevByDevice = null;

    /// <summary>VF number → what the PF's driver reports for it, from one RTM_GETLINK; <c>null</c> off the live host.</summary>
    private Dictionary<int, VfInfo>? KernelVfSettings(SriovPf pf, bool statistics)
    {
        if (_links is null || pf.Name is null || _links.ReadWithVfs(pf.Name, statistics) is not { } link)
        {
            return null;
        }

        if (!link.HasVfList && link.NumVfs > 0)
        {
            _report?.Note($"{pf.Name}: its driver reports no VF settings to the kernel (no ndo_get_vf_config).");
        }

        var settings = new Dictionary<int, VfInfo>(link.Vfs.Count);
        foreach (var vf in link.Vfs)
        {
            settings.TryAdd(vf.Index, vf);
        }

        if (link.VfsMissing && _report is not null)
        {
            var missing = new List<int>();
            for (int index = 0; index < link.NumVfs; index++)
            {
                if (!settings.ContainsKey(index))
                {
                    missing.Add(index);
                }
            }

            _report.Note($"{pf.Name}: the driver did not describe VF {string.Join(", ", missing)} (drivers leave out a VF that is resetting); its settings are left empty.");
        }

        return settings;
    }

    private SriovPf? ReadPf(string address, string device, int totalVfs, bool capable, bool kernelState)
    {
        int numVfs = 0;
        if (capable)
        {
            numVfs = ReadInt(device, "sriov_numvfs");
            if (numVfs < 0)
            {
                _report?.Note($"Skipped {address}: its SR-IOV attributes vanished or could not be read.");
                return null;
            }
        }

        string? driver = Intern(_files.ReadLinkName(device, "driver"));
        int? iommuGroup = ReadLinkNumber(device, "iommu_group");
        int numaNode = ReadInt(device, "numa_node", allowNegative: true);
        string? vendorId = ReadText(device, "vendor");
        string? deviceId = ReadText(device, "device");
        string? vfDeviceId = capable ? ReadText(device, "sriov_vf_device") : null;
        int autoprobe = capable ? ReadInt(device, "sriov_drivers_autoprobe") : -1;

        string? name = FirstNetdev(device) ?? VirtioNetdev(device);
        LinkState? linkState = null;
        string? macAddress = null, permanentMac = null;
        int mtu = -1, flags = -1;
        if (name is not null && kernelState && _links?.Read(name) is { } live)
        {
            linkState = KernelLinkMapping.ToLinkState(live.OperState);
            macAddress = KernelLinkMapping.FormatAddress(live.Address);
            permanentMac = KernelLinkMapping.FormatAddress(live.PermanentAddress);
            mtu = live.Mtu is uint liveMtu ? (int)Math.Min(liveMtu, int.MaxValue) : -1;
            flags = (int)live.Flags;
        }
        else if (name is not null)
        {
            string net = ClassNet + "/" + name;
            linkState = ParseOperState(ReadText(net, "operstate"));
            macAddress = ReadText(net, "address");
            mtu = ReadInt(net, "mtu");
            flags = ReadHex(net, "flags");
        }

        // Only PFs that can have VFs (an eswitch switches VFs), and never the live devlink for a copied tree (a snapshot has what it said).
        EswitchMode? eswitchMode = kernelState && totalVfs > 0 && _eswitch is not null && (_files.IsLiveHost || _eswitch.IsSaved)
            ? _eswitch.Read(EswitchModes.PciBus, address)
            : null;

        // Under the same conditions: the interface's own hw-tc-offload (ethtool -k), never the live kernel's for a copied tree.
        bool? hwTcOffload = kernelState && totalVfs > 0 && name is not null && _features is not null && (_files.IsLiveHost || _features.IsSaved)
            ? _features.ReadHwTcOffload(name)?.Active
            : null;

        string? vendorName = null, deviceName = null;
        if (_ids is not null && PciIdDatabase.TryParseId(vendorId, out int vendor) && PciIdDatabase.TryParseId(deviceId, out int product))
        {
            vendorName = _ids.VendorName(vendor);
            deviceName = _ids.DeviceName(vendor, product);
        }

        var support =
            !capable || totalVfs == 0 ? SriovSupport.NotCapable
            : driver is null ? SriovSupport.NoDriver
            : iommuGroup is null ? SriovSupport.IommuDisabled
            : flags >= 0 && (flags & IffUp) == 0 ? SriovSupport.PfLinkDown
            : SriovSupport.Supported;

        return new SriovPf(address)
        {
            Name = name,
            Driver = driver,
            VendorId = vendorId,
            DeviceId = deviceId,
            VfDeviceId = vfDeviceId is null or "" ? null : vfDeviceId.StartsWith("0x", StringComparison.Ordinal) ? vfDeviceId : "0x" + vfDeviceId,
            VendorName = vendorName,
            DeviceName = deviceName,
            TotalVfs = totalVfs,
            NumVfs = numVfs,
            LinkState = linkState,
            MacAddress = macAddress,
            PermanentMacAddress = permanentMac,
            AdministrativelyUp = flags < 0 ? null : (flags & IffUp) != 0,
            Mtu = mtu < 0 ? null : mtu,
            NumaNode = numaNode < 0 ? null : numaNode,
            IommuGroup = iommuGroup,
            EswitchMode = eswitchMode,
            HwTcOffload = hwTcOffload,
            DriversAutoprobe = autoprobe < 0 ? null : autoprobe != 0,
            SriovSupport = support,
        };
    }

    private bool IsNetworkClass(string device)
    {
        int pciClass = ReadHex(device, "class");
        return pciClass >= 0 && pciClass >> 16 == NetworkBaseClass;
    }

    private bool IsVirtualFunction(string device)
    {
        Span<byte> target = stackalloc byte[HostFileSystem.PathBufferSize];
        return _files.ReadLink(device, "physfn", target) >= 0;
    }

    private string? FirstNetdev(string device) => FirstInterface(_files, device);

    /// <summary>
    /// A PCI device's first interface in this namespace (by name), from its own net/ directory, never a VF
    /// representor that a switchdev PF keeps there; <c>null</c> when it has none.
    /// </summary>
    internal static string? FirstInterface(HostFileSystem files, string device)
    {
        var names = files.ListNames(device + "/net");
        if (names.Count > 1)
        {
            names.Sort(StringComparer.Ordinal);
            return names.Find(name => !Kernel.Representors.IsRepresentor(files, device + "/net/" + name)) ?? names[0];
        }

        return names.Count > 0 ? names[0] : null;
    }

    /// <summary>virtio-net puts its interface one level down, under the virtio device: <c>0000:00:03.0/virtio0/net/eth0</c>.</summary>
    private string? VirtioNetdev(string device)
    {
        foreach (var child in _files.ListNames(device))
        {
            if (child.StartsWith("virtio", StringComparison.Ordinal) && FirstNetdev(device + "/" + child) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>PCI address → its first interface, from one readlink per /sys/class/net entry.</summary>
    private Dictionary<string, string> NetdevMap()
    {
        if (_netdevByDevice is not null)
        {
            return _netdevByDevice;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        Span<byte> target = stackalloc byte[HostFileSystem.PathBufferSize];
        var names = _files.ListNames(ClassNet);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            int length = _files.ReadLink(ClassNet, name, target);
            if (length > 0 && OwningPciAddress(target[..length]) is { } address && !map.TryAdd(address, name)
                && Kernel.Representors.IsRepresentor(_files, ClassNet + "/" + map[address]) && !Kernel.Representors.IsRepresentor(_files, ClassNet + "/" + name))
            {
                // A switchdev PF's representors share its device: the uplink names the PF, whatever sorts first.
                map[address] = name;
            }
        }

        return _netdevByDevice = map;
    }

    /// <summary>
    /// The PCI function a /sys/class/net link target belongs to: the component before <c>net/NAME</c>,
    /// or the one before that for a virtio device. <c>null</c> for virtual interfaces.
    /// </summary>
    internal static string? OwningPciAddress(ReadOnlySpan<byte> target)
    {
        Span<char> chars = stackalloc char[12];
        for (int step = 0; step < 4; step++)
        {
            int slash = target.LastIndexOf((byte)'/');
            if (slash < 0)
            {
                return null;
            }

            var component = target[(slash + 1)..];
            if (step >= 2 && component.Length == 12)
            {
                int count = Encoding.ASCII.GetChars(component, chars);
                if (count == 12 && PciAddress.IsValid(chars))
                {
                    return new string(chars);
                }
            }

            target = target[..slash];
        }

        return null;
    }

    private int? ReadLinkNumber(string directory, string name)
    {
        Span<byte> target = stackalloc byte[HostFileSystem.PathBufferSize];
        int length = _files.ReadLink(directory, name, target);
        return length > 0 && int.TryParse(HostFileSystem.LastComponent(target[..length]), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            ? number
            : null;
    }

    /// <summary>A decimal attribute, or -1 when absent or not a number (or negative, unless allowed).</summary>
    private int ReadInt(string directory, string name, bool allowNegative = false)
    {
        Span<byte> buffer = stackalloc byte[64];
        int length = _files.ReadAttribute(directory, name, buffer);
        var style = allowNegative ? NumberStyles.AllowLeadingSign : NumberStyles.None;
        return length > 0 && int.TryParse(buffer[..length], style, CultureInfo.InvariantCulture, out int value) && (allowNegative || value >= 0)
            ? value
            : -1;
    }

    private int ReadHex(string directory, string name) => ReadHex(_files, directory, name);

    /// <summary>A <c>0x</c>-prefixed hexadecimal attribute (class, flags), or -1.</summary>
    internal static int ReadHex(HostFileSystem files, string directory, string name)
    {
        Span<byte> buffer = stackalloc byte[64];
        int length = files.ReadAttribute(directory, name, buffer);
        return length > 2 && buffer[0] == (byte)'0' && buffer[1] == (byte)'x'
            && int.TryParse(buffer[2..length], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            ? value
            : -1;
    }

    private string? ReadText(string directory, string name)
    {
        Span<byte> buffer = stackalloc byte[256];
        int length = _files.ReadAttribute(directory, name, buffer);
        return length < 0 ? null : Encoding.UTF8.GetString(buffer[..length]);
    }

    private static LinkState? ParseOperState(string? text) => text switch
    {
        null => null,
        "up" => LinkState.Up,
        "down" => LinkState.Down,
        "lowerlayerdown" => LinkState.LowerLayerDown,
        "dormant" => LinkState.Dormant,
        "testing" => LinkState.Testing,
        "notpresent" => LinkState.NotPresent,
        _ => LinkState.Unknown,
    };

    // Driver names repeat across hundreds of VFs; keep one string of each.
    private string? Intern(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (_interned.TryGetValue(text, out var existing))
        {
            return existing;
        }

        _interned[text] = text;
        return text;
    }

    private static string DevicePath(string address) => PciDevices + "/" + address;
}
