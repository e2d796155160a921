using System.Text;
using System.Threading;
using SriovPS.Discovery;
using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Files;
using SriovPS.VfDriver;
using SriovPS.VfSettings;

namespace SriovPS.VfCount;

/// <summary>How far a VF count change has come, for a progress bar.</summary>
internal readonly record struct VfCountProgress(string Status, int Done, int Total);

/// <summary>
/// Changes a PF's VF count through <c>sriov_numvfs</c>, the way <c>echo 0 &gt; sriov_numvfs; echo 7 &gt;
/// sriov_numvfs</c> does, but never while something holds a VF: the kernel's removal of a VF waits,
/// uninterruptibly, for every open vfio device descriptor, so a write then would never return.
/// Optionally carries the surviving VFs' settings across, and waits for the new VFs and their drivers.
/// </summary>
/// <param name="guestOwners">Reads which running libvirt guest holds which VF (PCI address); null when libvirt is not consulted.</param>
/// <param name="savedHolders">On a snapshot, the holders found when it was taken, which its /proc lacks.</param>
internal sealed class VfCountChanger(
    HostFileSystem files, SriovDiscovery discovery, KernelLinks? links, Func<IReadOnlyDictionary<string, string>?>? guestOwners = null,
    IReadOnlyList<Snapshot.SavedHolder>? savedHolders = null)
{
    private readonly PciDriverAvailability _drivers = new(files);

    /// <summary>What holds the PF's present VFs now.</summary>
    public List<VfHolder> FindHolders(SriovPf pf) => pf.NumVfs == 0 ? [] : Scan(pf).Find(discovery.GetVfs(pf), guestOwners?.Invoke());

    private VfHolderScan Scan(SriovPf pf) =>
        new(files, savedHolders?.Where(h => h.PfPciAddress == pf.PciAddress).Select(h => h.Holder).ToList());

    /// <summary>The refusal for VFs that are held, naming each holder.</summary>
    public static SriovException Busy(VfCountPlan plan, IReadOnlyList<VfHolder> holders)
    {
        string label = plan.Pf.Name ?? plan.Pf.PciAddress;
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{label}'s {plan.Pf.NumVfs} VFs cannot be ")
            .Append(plan.Count == 0 ? "removed" : $"re-created as {plan.Count}")
            .Append(" while they are in use, so nothing was changed:");
        foreach (var holder in holders)
        {
            message.Append("\n  ").Append(holder);
        }

        return new SriovException(
            ErrorCatalog.VfsInUse,
            message.ToString(),
            label,
            "Stop the guests or programs named (or move the interfaces back from their namespace), then run the command again. -Force does not override this: the kernel would wait for them forever.");
    }

    /// <summary>
    /// Carries out <paramref name="plan"/>: checks the holders again (right before writing), writes
    /// autoprobe, then the count (through 0), waits up to <paramref name="timeout"/> for the VFs and
    /// for the drivers that will bind them, and restores the settings of the VFs that survive when
    /// <paramref name="preserveSettings"/>.
    /// </summary>
    /// <exception cref="SriovException">The VFs are held, or a write failed; the message says what state the PF is in.</exception>
    public HostReport Apply(
        VfCountPlan plan, bool preserveSettings, TimeSpan timeout, Action<VfCountProgress>? progress = null, CancellationToken cancellation = default)
    {
        var outcome = new HostReport();
        var pf = plan.Pf;
        var before = plan.DestroysVfs ? discovery.GetVfs(pf) : [];
        if (plan.DestroysVfs && Scan(plan.Pf).Find(before, guestOwners?.Invoke()) is { Count: > 0 } holders)
        {
            throw Busy(plan, holders);
        }

        var saved = preserveSettings && plan.ChangesCount ? Snapshot(before, plan.Count, outcome) : [];
        bool autoprobe = plan.DriversAutoprobe ?? pf.DriversAutoprobe ?? true;

        // Drivers read a VF's administrative MAC when they bind it: keep them off the new VFs until
        // the saved settings are back, so their interfaces start with the MAC.
        bool holdDrivers = saved.Count > 0 && autoprobe;
        if (plan.ChangesAutoprobe || holdDrivers)
        {
            WriteAutoprobe(pf, holdDrivers ? false : autoprobe, "nothing else was changed");
        }

        List<string> created = [];
        try
        {
            if (plan.ChangesCount)
            {
                if (pf.NumVfs > 0)
                {
                    WriteNumVfs(pf, 0, "nothing was changed");
                    outcome.Notes.Add($"Removed the {pf.NumVfs} VFs of {Label(pf)}.");
                }

                if (plan.Count > 0)
                {
                    WriteNumVfs(pf, plan.Count, pf.NumVfs > 0 ? $"its {pf.NumVfs} VFs were removed and none created: it has 0 VFs now" : "it still has 0 VFs");
                    created = WaitForVfs(pf, plan.Count, timeout, progress, cancellation);
                    outcome.Notes.Add($"Created {plan.Count} VFs on {Label(pf)}.");
                }
            }

            if (saved.Count > 0)
            {
                Restore(pf, saved, outcome);
            }
        }
        finally
        {
            if (holdDrivers)
            {
                // Also after a failure: autoprobe must not stay off behind the user's back.
                int errno = files.WriteAttribute(SriovDiscovery.PciDevices + "/" + pf.PciAddress, "sriov_drivers_autoprobe", "1"u8);
                if (errno != 0)
                {
                    outcome.Failures.Add(WriteFailure(pf, "sriov_drivers_autoprobe", 1, errno, "it stays 0, so new VFs get no driver until it is set to 1"));
                }

                // Each VF is offered to the drivers now, as it would have been when created; after a
                // failed wait or Ctrl+C too, whichever VFs exist.
                foreach (string address in created.Count > 0 ? created : PresentVfs(pf, plan.Count))
                {
                    files.WriteAttribute("/sys/bus/pci", "drivers_probe", Encoding.ASCII.GetBytes(address));
                }
            }
        }

        if (autoprobe && created.Count > 0)
        {
            WaitForDrivers(pf, created, timeout, progress, outcome, cancellation);
        }

        return outcome;
    }

    /// <summary>The settings of the VFs below <paramref name="count"/> that differ from a new VF's, as requests.</summary>
    private static Dictionary<int, VfSettingsRequest> Snapshot(List<SriovVf> vfs, int count, HostReport outcome)
    {
        var saved = new Dictionary<int, VfSettingsRequest>();
        foreach (var vf in vfs)
        {
            if (vf.Index >= count)
            {
                continue;
            }

            if (vf.MacAddress is null)
            {
                outcome.Warnings.Add($"{vf}: the kernel did not report its settings, so they cannot be restored.");
                continue;
            }

            bool tagged = vf.Vlan is > 0;
            var request = VfSettingsRequest.Create(
                macAddress: vf.MacAddress == "00:00:00:00:00:00" ? null : vf.MacAddress,
                vlan: tagged ? vf.Vlan : null,
                qos: tagged && vf.Qos is > 0 ? vf.Qos : null,
                vlanProtocol: tagged && vf.VlanProtocol is "802.1ad" ? vf.VlanProtocol : null,
                spoofCheck: vf.SpoofCheck,
                trust: vf.Trust,
                linkState: vf.LinkState is VfLinkState.Auto ? null : vf.LinkState,
                minTxRate: vf.MinTxRate is > 0 ? vf.MinTxRate : null,
                maxTxRate: vf.MaxTxRate is > 0 ? vf.MaxTxRate : null);
            saved[vf.Index] = request;
        }

        return saved;
    }

    private void Restore(SriovPf pf, Dictionary<int, VfSettingsRequest> saved, HostReport outcome)
    {
        if (links is null || pf.Name is null)
        {
            outcome.Warnings.Add($"{Label(pf)}: the VF settings could not be restored without the PF's interface in this namespace.");
            return;
        }

        var writer = new VfSettingsWriter(links);
        var now = discovery.GetVfs(pf).ToDictionary(v => v.Index);
        foreach (var (index, request) in saved.OrderBy(p => p.Key))
        {
            if (!now.TryGetValue(index, out var vf) || vf.MacAddress is null)
            {
                outcome.Warnings.Add($"{pf.Name} vf {index}: the kernel did not report the new VF, so its settings were not restored.");
                continue;
            }

            try
            {
                var changes = VfSettingsPlan.For(request, vf);
                var result = writer.Apply(pf.Name, pf.Driver, index, changes);
                outcome.Failures.AddRange(result.Failures);
                if (result.Applied.Count > 0)
                {
                    outcome.Notes.Add($"Restored {pf.Name} vf {index}: {string.Join(" ", result.Applied.Select(c => c.IpArguments))}.");
                }
            }
            catch (SriovException e)
            {
                outcome.Failures.Add(e);
            }
        }
    }

    /// <summary>The PCI addresses of the PF's VFs that exist now, up to <paramref name="count"/>.</summary>
    private List<string> PresentVfs(SriovPf pf, int count)
    {
        string device = SriovDiscovery.PciDevices + "/" + pf.PciAddress;
        var addresses = new List<string>(count);
        for (int index = 0; index < count; index++)
        {
            if (files.ReadLinkName(device, "virtfn" + index.ToString(CultureInfo.InvariantCulture)) is { } address)
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    private List<string> WaitForVfs(SriovPf pf, int count, TimeSpan timeout, Action<VfCountProgress>? progress, CancellationToken cancellation)
    {
        List<string> addresses = [];
        if (HostPolling.Until(
            () =>
            {
                addresses = PresentVfs(pf, count);
                progress?.Invoke(new VfCountProgress($"{addresses.Count} of {count} VFs present", addresses.Count, count));
                return addresses.Count == count;
            },
            timeout,
            cancellation))
        {
            return addresses;
        }

        cancellation.ThrowIfCancellationRequested();
        throw new SriovException(
            ErrorCatalog.VfsNotReady,
            $"{Label(pf)} accepted {count} VFs, but only {addresses.Count} appeared within {timeout.TotalSeconds:0} s.",
            Label(pf),
            "Check the kernel log (dmesg) for the PF driver's messages.");
    }

    private void WaitForDrivers(
        SriovPf pf, List<string> addresses, TimeSpan timeout, Action<VfCountProgress>? progress, HostReport outcome, CancellationToken cancellation)
    {
        var expected = addresses.Where(_drivers.WillBind).ToList();
        if (expected.Count == 0)
        {
            outcome.Notes.Add($"No driver on this host binds the VFs of {Label(pf)} by itself; they stay unbound.");
            return;
        }

        List<string> unbound = expected;
        bool bound = HostPolling.Until(
            () =>
            {
                unbound = expected.FindAll(a => files.ReadLinkName(SriovDiscovery.PciDevices + "/" + a, "driver") is null);
                progress?.Invoke(new VfCountProgress($"{expected.Count - unbound.Count} of {expected.Count} VF drivers bound", expected.Count - unbound.Count, expected.Count));
                return unbound.Count == 0;
            },
            timeout,
            cancellation);
        if (!bound && !cancellation.IsCancellationRequested)
        {
            outcome.Failures.Add(new SriovException(
                ErrorCatalog.VfsNotReady,
                $"{Label(pf)}: the VFs were created, but no driver bound {string.Join(", ", unbound)} within {timeout.TotalSeconds:0} s.",
                Label(pf),
                "Check the kernel log (dmesg) for the VF driver's messages; Get-SriovVf shows each VF's driver."));
        }
    }

    private void WriteNumVfs(SriovPf pf, int count, string stateOnFailure)
    {
        int errno = files.WriteAttribute(SriovDiscovery.PciDevices + "/" + pf.PciAddress, "sriov_numvfs", Encoding.ASCII.GetBytes(count.ToString(CultureInfo.InvariantCulture)));
        if (errno != 0)
        {
            throw WriteFailure(pf, "sriov_numvfs", count, errno, stateOnFailure);
        }
    }

    internal void WriteAutoprobe(SriovPf pf, bool value, string stateOnFailure)
    {
        int errno = files.WriteAttribute(SriovDiscovery.PciDevices + "/" + pf.PciAddress, "sriov_drivers_autoprobe", value ? "1"u8 : "0"u8);
        if (errno != 0)
        {
            throw WriteFailure(pf, "sriov_drivers_autoprobe", value ? 1 : 0, errno, stateOnFailure);
        }
    }

    private static SriovException WriteFailure(SriovPf pf, string attribute, int value, int errno, string state)
    {
        string label = Label(pf);
        string path = $"{SriovDiscovery.PciDevices}/{pf.PciAddress}/{attribute}";
        string message = $"Writing {value} to {path} failed: {Errno.Describe(errno)}; {state}.";
        return errno switch
        {
            // As root EPERM comes from the driver: igb and ixgbe refuse to remove VFs assigned to guests.
            Errno.EPERM when Environment.IsPrivilegedProcess => new SriovException(ErrorCatalog.VfsInUse, $"{message} The driver ({pf.Driver}) refuses while VFs are assigned to guests.", label, "Release the VFs from their guests first."),
            Errno.EACCES or Errno.EPERM => new SriovException(ErrorCatalog.SysfsPermissionDenied, message, path, "Run PowerShell as root."),
            Errno.ENOENT when pf.Driver is null => new SriovException(ErrorCatalog.PfDriverMissing, $"{message} The PF has no driver bound.", label, "Bind the PF's driver, then run the command again."),
            Errno.ENOENT or Errno.EOPNOTSUPP => new SriovException(ErrorCatalog.VfCountNotSupported, $"{message} The PF's driver ({pf.Driver}) does not create VFs through sysfs.", label, "Some drivers take the VF count as a module parameter instead (mlx4_core num_vfs, for example)."),
            Errno.ERANGE => new SriovException(ErrorCatalog.VfCountOutOfRange, $"{message} The count is above what the PF allows now.", label),
            Errno.EBUSY => new SriovException(ErrorCatalog.HostChangeInProgress, $"{message} The PF already had VFs: something else created them meanwhile.", label, "Run the command again."),
            Errno.ENOMEM or Errno.ENOSPC => new SriovException(ErrorCatalog.VfCountFailed, message, label, "The PF could not get the memory (BAR space) for its VFs: add pci=realloc to the kernel command line, or enable SR-IOV in the firmware setup."),
            _ => new SriovException(ErrorCatalog.VfCountFailed, message, label, "The kernel log (dmesg) has the driver's reason."),
        };
    }

    private static string Label(SriovPf pf) => pf.Name ?? pf.PciAddress;
}
