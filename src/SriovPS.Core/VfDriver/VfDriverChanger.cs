using System.Diagnostics;
using System.Text;
using System.Threading;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Files;
using SriovPS.VfCount;

namespace SriovPS.VfDriver;

/// <summary>
/// Moves a VF to another driver the way the kernel documents it: <c>driver_override</c>, unbind from
/// the present driver, then <c>echo ADDRESS &gt; /sys/bus/pci/drivers_probe</c>. The override makes the
/// choice stick: a later probe (a driver loading, a reset) binds the same driver again.
/// </summary>
internal sealed class VfDriverChanger(HostFileSystem files)
{
    private const string PciBus = "/sys/bus/pci";
    private static readonly string[] Modprobe = ["/usr/sbin/modprobe", "/sbin/modprobe", "/usr/bin/modprobe", "/bin/modprobe"];

    /// <summary>
    /// Makes sure <paramref name="driver"/> is registered with the PCI bus, loading its module when
    /// not (<c>modprobe vfio-pci</c>); returns whether a module was loaded.
    /// </summary>
    /// <exception cref="SriovException">No such driver, and no module of that name loads.</exception>
    public bool EnsureDriver(string driver)
    {
        if (files.Exists(PciDriverBinding.PciDrivers + "/" + driver))
        {
            return false;
        }

        string? program = files.IsLiveHost ? Array.Find(Modprobe, System.IO.File.Exists) : null;
        string failure = program is null ? "modprobe was not found" : RunModprobe(program, driver);
        if (files.Exists(PciDriverBinding.PciDrivers + "/" + driver))
        {
            return true;
        }

        throw new SriovException(
            ErrorCatalog.DriverNotAvailable,
            $"The PCI driver '{driver}' is not loaded and could not be loaded ({failure}); nothing was changed.",
            driver,
            driver == VfDriverName.VfioPci
                ? "vfio-pci ships with the kernel: install the kernel's modules package (linux-modules or linux-image) for the running kernel, or check that it is not blacklisted."
                : $"Check the name against /sys/bus/pci/drivers and 'modinfo {driver}'.");
    }

    /// <summary>
    /// Carries out <paramref name="move"/>, refusing first when something holds the VF (its vfio
    /// group or device open, its interface in another namespace), then waits up to
    /// <paramref name="timeout"/> for the expected driver and, for vfio, the group's device node.
    /// When the new driver does not take the VF, the previous override is put back and the VF probed again.
    /// </summary>
    /// <returns>Warnings for the caller to show.</returns>
    /// <exception cref="SriovException">Refused (the VF untouched), or a write or the bind failed (the message says the VF's state).</exception>
    public List<string> Apply(VfDriverMove move, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var warnings = new List<string>();
        var vf = move.Vf;
        string device = SriovDiscovery.PciDevices + "/" + vf.PciAddress;
        if (FindHolders(move) is { Count: > 0 } holders)
        {
            throw InUse(move, holders);
        }

        Write(device, "driver_override", move.Override, move, "nothing was changed");
        if (!move.Reprobe)
        {
            return warnings;
        }

        if (vf.Driver is not null)
        {
            Write(PciDriverBinding.PciDrivers + "/" + vf.Driver, "unbind", vf.PciAddress, move,
                $"driver_override now reads {move.Override ?? "(null)"} and the VF is still on {vf.Driver}");
        }

        Write(PciBus, "drivers_probe", vf.PciAddress, move, "the VF has no driver now");
        if (move.ExpectedDriver is null)
        {
            warnings.Add($"{vf} has no driver now: no module of the running kernel matches its modalias.");
            return warnings;
        }

        string? bound = WaitForDriver(device, move.ExpectedDriver, timeout, cancellation);
        if (!VfDriverPersistence.SameDriver(bound, move.ExpectedDriver))
        {
            throw NotBound(move, bound, timeout, Restore(move, device));
        }

        if (VfHolderScan.IsVfioDriver(bound) && vf.IommuGroup is int group)
        {
            string node = SriovDiscovery.VfioDevicePath(group);
            if (!HostPolling.Until(() => files.Exists(node), timeout, cancellation))
            {
                warnings.Add($"{vf} is bound to {bound} but {node} did not appear within {timeout.TotalSeconds:0} s: check that devtmpfs is mounted on /dev.");
            }
        }

        return warnings;
    }

    /// <summary>What holds the VF, when the move takes it from its driver; empty otherwise.</summary>
    public List<VfHolder> FindHolders(VfDriverMove move) =>
        move.Reprobe && move.Vf.Driver is not null ? new VfHolderScan(files).Find([move.Vf]) : [];

    /// <summary>The refusal for a held VF, naming each holder.</summary>
    public static SriovException InUse(VfDriverMove move, List<VfHolder> holders)
    {
        var message = new StringBuilder($"{move.Vf} cannot leave {move.Vf.Driver} while it is in use, so nothing was changed:");
        foreach (var holder in holders)
        {
            message.Append("\n  ").Append(holder);
        }

        return new SriovException(
            ErrorCatalog.VfsInUse,
            message.ToString(),
            move.Vf.PciAddress,
            "Stop the guests or programs named (or move the interface back from its namespace), then run the command again.");
    }

    private string? WaitForDriver(string device, string? expected, TimeSpan timeout, CancellationToken cancellation)
    {
        string? bound = null;
        HostPolling.Until(() => (bound = files.ReadLinkName(device, "driver")) is not null && (expected is null || VfDriverPersistence.SameDriver(bound, expected)), timeout, cancellation);
        return bound;
    }

    /// <summary>Puts the previous override back and probes once more; says where the VF ended up.</summary>
    private string Restore(VfDriverMove move, string device)
    {
        if (files.ReadLinkName(device, "driver") is { } stray)
        {
            files.WriteAttribute(PciDriverBinding.PciDrivers + "/" + stray, "unbind", Encoding.ASCII.GetBytes(move.Vf.PciAddress));
        }

        files.WriteAttribute(device, "driver_override", OverrideBytes(move.CurrentOverride));
        files.WriteAttribute(PciBus, "drivers_probe", Encoding.ASCII.GetBytes(move.Vf.PciAddress));
        string? back = WaitForDriver(device, move.Vf.Driver, TimeSpan.FromSeconds(5), CancellationToken.None);
        return back is null ? "it has no driver now" : $"it was put back on {back}";
    }

    private static SriovException NotBound(VfDriverMove move, string? bound, TimeSpan timeout, string state)
    {
        string wanted = move.ExpectedDriver!;
        string seen = bound is null ? "no driver took it" : $"{bound} took it instead";
        return new SriovException(
            ErrorCatalog.VfDriverChangeFailed,
            $"{move.Vf} was offered to {wanted} but {seen} within {timeout.TotalSeconds:0} s; {state}.",
            move.Vf.PciAddress,
            $"The kernel log says why the probe failed: dmesg | grep {move.Vf.PciAddress}");
    }

    private void Write(string directory, string attribute, string? value, VfDriverMove move, string stateOnFailure)
    {
        int errno = files.WriteAttribute(directory, attribute, OverrideBytes(value));
        if (errno == 0)
        {
            return;
        }

        string path = directory + "/" + attribute;
        string message = $"Could not change the driver of {move.Vf}: writing {path} failed with \"{Errno.Describe(errno)}\"; {stateOnFailure}.";
        throw errno is Errno.EACCES or Errno.EPERM
            ? new SriovException(ErrorCatalog.SysfsPermissionDenied, message, path, "Run PowerShell as root.")
            : new SriovException(ErrorCatalog.VfDriverChangeFailed, message, move.Vf.PciAddress,
                stateOnFailure == "the VF has no driver now" ? $"Bind it by hand: echo {move.Vf.PciAddress} > /sys/bus/pci/drivers_probe" : null);
    }

    /// <summary>A newline clears an override; any other value is written as it is.</summary>
    private static byte[] OverrideBytes(string? value) => Encoding.ASCII.GetBytes(value ?? "\n");

    private static string RunModprobe(string program, string module)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(module);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd().Trim();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? "modprobe succeeded but the driver did not register" : $"modprobe {module}: {(error.Length > 0 ? error : "exit code " + process.ExitCode)}";
    }
}
