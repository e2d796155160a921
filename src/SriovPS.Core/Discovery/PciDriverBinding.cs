using System.Text;
using System.Threading;
using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Files;

namespace SriovPS.Discovery;

/// <summary>
/// Binds PCI functions to drivers through sysfs (<c>/sys/bus/pci/drivers/DRIVER/bind|unbind</c>), the
/// way <c>echo 0000:04:10.0 &gt; …/unbind</c> does, with errors that say what state the device is left in.
/// </summary>
internal sealed class PciDriverBinding(HostFileSystem files)
{
    internal const string PciDrivers = "/sys/bus/pci/drivers";

    /// <summary>
    /// Unbinds <paramref name="pciAddress"/> from <paramref name="driver"/> and binds it again, so the
    /// driver initialises the device afresh (a VF's net driver then takes the MAC its PF assigned).
    /// Returns the device's network interface afterwards, waiting up to <paramref name="timeout"/>
    /// for it, or <c>null</c> when none appeared.
    /// </summary>
    /// <exception cref="SriovException">A write failed; the message says whether the device was left unbound.</exception>
    internal string? Rebind(string pciAddress, string driver, TimeSpan timeout, CancellationToken cancellation = default)
    {
        if (driver.Length == 0 || driver.Contains('/') || driver is "." or "..")
        {
            throw new ArgumentException($"'{driver}' is not a driver name.", nameof(driver));
        }

        string driverDirectory = PciDrivers + "/" + driver;
        Write(driverDirectory, "unbind", pciAddress, $"Could not unbind {pciAddress} from {driver}", leftUnbound: false);
        Write(driverDirectory, "bind", pciAddress, $"Unbound {pciAddress} from {driver} but could not bind it again", leftUnbound: true);
        return WaitForInterface(pciAddress, timeout, cancellation);
    }

    /// <summary>The device's first network interface in this namespace, polled until <paramref name="timeout"/>.</summary>
    internal string? WaitForInterface(string pciAddress, TimeSpan timeout, CancellationToken cancellation = default)
    {
        string device = SriovDiscovery.PciDevices + "/" + pciAddress;
        string? name = null;
        HostPolling.Until(() => (name = SriovDiscovery.FirstInterface(files, device)) is not null, timeout, cancellation);
        return name;
    }

    private void Write(string directory, string attribute, string pciAddress, string failure, bool leftUnbound)
    {
        int errno = files.WriteAttribute(directory, attribute, Encoding.ASCII.GetBytes(pciAddress));
        if (errno == 0)
        {
            return;
        }

        string path = directory + "/" + attribute;
        string message = $"{failure}: writing {path} failed with \"{Errno.Describe(errno)}\".";
        string? remedy = leftUnbound
            ? $"The device has no driver now. Bind it with: echo {pciAddress} > /sys/bus/pci/drivers_probe"
            : null;
        throw errno is Errno.EACCES or Errno.EPERM
            ? new SriovException(ErrorCatalog.SysfsPermissionDenied, message, path, remedy ?? "Run PowerShell as root.")
            : new SriovException(ErrorCatalog.VfRebindFailed, message, pciAddress, remedy);
    }
}
