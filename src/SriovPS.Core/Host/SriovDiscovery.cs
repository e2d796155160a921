using System;
using System.Collections.Generic;
using System.Globalization;
using SriovPS.Native.Sysfs;

namespace SriovPS.Host;

/// <summary>
/// Finds SR-IOV PFs and their VFs from sysfs: one pass over <c>/sys/bus/pci/devices</c>, reading
/// only the attributes the objects need. A device that disappears while it is read is skipped and
/// reported through the note callback, never thrown.
/// </summary>
internal sealed class SriovDiscovery
{
    internal const string PciDevices = "/sys/bus/pci/devices";

    // PCI base class 0x02: network controller (include/linux/pci_ids.h, PCI_BASE_CLASS_NETWORK).
    private const int NetworkBaseClass = 0x02;

    private readonly HostFileSystem _files;
    private readonly Action<string>? _note;

    internal SriovDiscovery(HostFileSystem files, Action<string>? note = null)
    {
        _files = files;
        _note = note;
    }

    /// <summary>Every SR-IOV-capable network PF, in PCI address order.</summary>
    internal List<SriovPf> GetPfs()
    {
        var addresses = _files.ListNames(PciDevices);
        var sorted = new List<string>(addresses.Count);
        foreach (var address in addresses)
        {
            if (PciAddress.IsValid(address))
            {
                sorted.Add(address);
            }
        }

        sorted.Sort(StringComparer.Ordinal);
        var pfs = new List<SriovPf>();
        foreach (var address in sorted)
        {
            var pf = ReadPf(address);
            if (pf is not null)
            {
                pfs.Add(pf);
            }
        }

        return pfs;
    }

    /// <summary>The VFs of a PF, from its <c>virtfnN</c> links, in index order.</summary>
    internal List<SriovVf> GetVfs(SriovPf pf)
    {
        string device = DevicePath(pf.PciAddress);
        var vfs = new List<SriovVf>(pf.NumVfs);
        foreach (var entry in _files.ListNames(device))
        {
            if (!entry.StartsWith("virtfn", StringComparison.Ordinal)
                || !int.TryParse(entry.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                continue;
            }

            string link = device + "/" + entry;
            string? vfAddress = _files.ReadLinkName(link);
            if (vfAddress is null || !PciAddress.IsValid(vfAddress))
            {
                _note?.Invoke($"Skipped {entry} of {pf.PciAddress}: the VF vanished while it was read.");
                continue;
            }

            vfs.Add(new SriovVf(pf.Name, pf.PciAddress, index, vfAddress, _files.ReadLinkName(link + "/driver")));
        }

        vfs.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return vfs;
    }

    private SriovPf? ReadPf(string address)
    {
        string device = DevicePath(address);
        if (!IsNetworkClass(_files.ReadAttribute(device + "/class")))
        {
            return null;
        }

        string? total = _files.ReadAttribute(device + "/sriov_totalvfs");
        if (total is null)
        {
            return null;
        }

        string? current = _files.ReadAttribute(device + "/sriov_numvfs");
        if (!TryParseCount(total, out int totalVfs) || !TryParseCount(current, out int numVfs))
        {
            _note?.Invoke($"Skipped {address}: its SR-IOV attributes vanished or could not be read.");
            return null;
        }

        return new SriovPf(FirstNetdev(device), address, _files.ReadLinkName(device + "/driver"), totalVfs, numVfs);
    }

    private string? FirstNetdev(string device)
    {
        var names = _files.ListNames(device + "/net");
        if (names.Count <= 1)
        {
            return names.Count == 1 ? names[0] : null;
        }

        var sorted = new List<string>(names);
        sorted.Sort(StringComparer.Ordinal);
        return sorted[0];
    }

    private static string DevicePath(string address) => PciDevices + "/" + address;

    private static bool IsNetworkClass(string? classText) =>
        classText is not null
        && classText.StartsWith("0x", StringComparison.Ordinal)
        && int.TryParse(classText.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int pciClass)
        && pciClass >> 16 == NetworkBaseClass;

    private static bool TryParseCount(string? text, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count);
}
