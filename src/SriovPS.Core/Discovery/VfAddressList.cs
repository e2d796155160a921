using SriovPS.Native.Files;
using SriovPS.Values;

namespace SriovPS.Discovery;

/// <summary>
/// The PCI addresses of a PF's VFs from its <c>virtfnN</c> links alone: what libvirt's pool on the PF
/// holds, read without the netlink request a full <see cref="SriovDiscovery.GetVfs"/> makes.
/// </summary>
internal static class VfAddressList
{
    internal static List<string> Read(HostFileSystem files, string pfPciAddress)
    {
        string device = SriovDiscovery.PciDevices + "/" + pfPciAddress;
        var addresses = new List<string>();
        if (!int.TryParse(files.ReadAttribute(device + "/sriov_numvfs"), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            return addresses;
        }

        for (int index = 0; index < count; index++)
        {
            // A VF that vanishes mid-read is left out, as discovery does.
            if (files.ReadLinkName(device + "/virtfn" + index.ToString(CultureInfo.InvariantCulture)) is { } address && PciAddress.IsValid(address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }
}
