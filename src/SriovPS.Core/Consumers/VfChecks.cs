using SriovPS.Discovery;
using SriovPS.Native.Files;
using SriovPS.Readiness;
using SriovPS.VfCount;
using SriovPS.Values;

namespace SriovPS.Consumers;

/// <summary>
/// Each PF's VFs as a consumer needs them: on vfio-pci with their group's <c>/dev/vfio</c> node (Kata,
/// KubeVirt), or on their kernel driver with an interface and a MAC the PF set (Docker's SR-IOV plugin).
/// </summary>
internal static class VfChecks
{
    private const string VfioPci = "vfio-pci";

    /// <summary>Every VF of the PF on vfio-pci (or a vfio variant driver), which is what Kata and KubeVirt pass through.</summary>
    public static void VfioDriver(HostCheckList checks, SriovPf pf, IReadOnlyList<SriovVf> vfs)
    {
        string target = pf.ToString();
        if (NoVfs(checks, ConsumerChecks.VfioDriverId, pf, vfs))
        {
            return;
        }

        var others = vfs.Where(vf => !VfHolderScan.IsVfioDriver(vf.Driver)).ToList();
        if (others.Count == 0)
        {
            checks.Pass(ConsumerChecks.VfioDriverId, target, string.Create(CultureInfo.InvariantCulture,
                $"All {vfs.Count} VFs of {target} are on {HostText.Join(vfs.Select(v => v.Driver!).Distinct(StringComparer.Ordinal).ToList())}."));
            return;
        }

        checks.Fail(ConsumerChecks.VfioDriverId, target, string.Create(CultureInfo.InvariantCulture,
            $"{others.Count} of {vfs.Count} VFs of {target} are not on vfio-pci ({Listed(others, DriverText)}): a container or virtual machine ") +
            "is given a VF through vfio, so only VFs on vfio-pci can be handed out.",
            PfChecks.VfCommand(pf, "Set-SriovVfDriver", $"-Index {Indexes(others)} -Driver {VfioPci} -Persist"));
    }

    /// <summary>
    /// The <c>/dev/vfio/&lt;group&gt;</c> node of every VF on vfio-pci, which Kata and KubeVirt open. Judged
    /// where the files hold /dev: the live host, and a snapshot, which keeps which vfio nodes existed.
    /// </summary>
    /// <param name="devKnown">Whether the files hold the host's /dev/vfio (not a copied host tree).</param>
    public static void VfioDevice(HostCheckList checks, SriovPf pf, IReadOnlyList<SriovVf> vfs, bool devKnown)
    {
        string target = pf.ToString();
        var onVfio = vfs.Where(vf => VfHolderScan.IsVfioDriver(vf.Driver)).ToList();
        if (onVfio.Count == 0)
        {
            checks.Skip(ConsumerChecks.VfioDeviceId, target, $"Not judged: no VF of {target} is on vfio-pci ({ConsumerChecks.VfioDriverId}).");
            return;
        }

        if (!devKnown)
        {
            checks.Skip(ConsumerChecks.VfioDeviceId, target, "Not judged: /dev/vfio is not part of a copied host tree; the live host and its snapshots have it.");
            return;
        }

        var missing = onVfio.Where(vf => vf.VfioDevice is null).ToList();
        if (missing.Count == 0)
        {
            checks.Pass(ConsumerChecks.VfioDeviceId, target, string.Create(CultureInfo.InvariantCulture,
                $"{(onVfio.Count == 1 ? "The VF" : $"Each of the {onVfio.Count} VFs")} of {target} on vfio-pci has its group's node ({string.Join(", ", onVfio.Select(v => v.VfioDevice))})."));
            return;
        }

        checks.Fail(ConsumerChecks.VfioDeviceId, target, string.Create(CultureInfo.InvariantCulture,
            $"{missing.Count} of the {onVfio.Count} VFs of {target} on vfio-pci have no vfio group node ({Listed(missing, NodeText)}): ") +
            "nothing can open them, so no container or virtual machine can be given them.",
            missing.Any(vf => vf.IommuGroup is null)
                ? $"Turn the IOMMU on ({IommuChecks.EnabledId}): without it a VF has no IOMMU group and no /dev/vfio node."
                : PfChecks.VfCommand(pf, "Set-SriovVfDriver", $"-Index {Indexes(missing)} -Driver Default") +
                    $", then {PfChecks.VfCommand(pf, "Set-SriovVfDriver", $"-Index {Indexes(missing)} -Driver {VfioPci}")} (binding to vfio-pci creates the node; where /dev is a container's own, the host's /dev/vfio must be given to it).");
    }

    /// <summary>
    /// Every VF of the PF on a kernel network driver with an interface, which Docker's SR-IOV plugin moves
    /// into a container. A VF on a kernel driver but with no interface here may be in a container's
    /// namespace already, so that alone is a warning.
    /// </summary>
    public static void KernelDriver(HostCheckList checks, SriovPf pf, IReadOnlyList<SriovVf> vfs)
    {
        string target = pf.ToString();
        if (NoVfs(checks, ConsumerChecks.KernelDriverId, pf, vfs))
        {
            return;
        }

        var unusable = vfs.Where(vf => vf.Driver is null || VfHolderScan.IsVfioDriver(vf.Driver) || VfHolderScan.IsUserSpaceDriver(vf.Driver)).ToList();
        var noInterface = vfs.Where(vf => vf.Name is null && !unusable.Contains(vf)).ToList();
        if (unusable.Count == 0 && noInterface.Count == 0)
        {
            checks.Pass(ConsumerChecks.KernelDriverId, target, string.Create(CultureInfo.InvariantCulture,
                $"All {vfs.Count} VFs of {target} are on a kernel network driver with an interface ({Listed(vfs, InterfaceText)})."));
            return;
        }

        string remedy = PfChecks.VfCommand(pf, "Set-SriovVfDriver", $"-Index {Indexes(unusable.Count > 0 ? unusable : noInterface)} -Driver Default -Persist");
        if (unusable.Count > 0)
        {
            string alsoMissing = noInterface.Count > 0
                ? $"; {Listed(noInterface, DriverText)} {(noInterface.Count == 1 ? "has" : "have")} no interface in this network namespace"
                : "";
            checks.Fail(ConsumerChecks.KernelDriverId, target, string.Create(CultureInfo.InvariantCulture,
                $"{unusable.Count} of {vfs.Count} VFs of {target} are not on a kernel network driver ({Listed(unusable, DriverText)}){alsoMissing}: ") +
                "Docker's SR-IOV plugin moves a VF's interface into a container, so a VF without one cannot be used.",
                remedy);
            return;
        }

        checks.Warn(ConsumerChecks.KernelDriverId, target, string.Create(CultureInfo.InvariantCulture,
            $"{noInterface.Count} of {vfs.Count} VFs of {target} are on a kernel driver but have no interface in this network namespace " +
            $"({Listed(noInterface, DriverText)}): either a container holds them already, or the driver made none."),
            $"If no container holds them: {remedy}.");
    }

    /// <summary>
    /// A MAC the PF set for every VF (<c>ip link show</c>'s <c>vf N … link/ether</c>), carried by the VF's
    /// interface where it has one here: without one the VF picks a random MAC each time its driver starts,
    /// and a VF driver (igbvf, ixgbevf) takes a MAC set later only when it next starts, so either way the
    /// host and the container disagree.
    /// </summary>
    /// <param name="files">The host's files, for the address each VF interface carries (/sys/class/net/&lt;if&gt;/address).</param>
    /// <param name="macsKnown">Whether the kernel was read (live host or snapshot): a copied host tree has no VF MACs.</param>
    public static void MacSet(HostCheckList checks, HostFileSystem files, SriovPf pf, IReadOnlyList<SriovVf> vfs, bool macsKnown)
    {
        string target = pf.ToString();
        if (NoVfs(checks, ConsumerChecks.MacSetId, pf, vfs))
        {
            return;
        }

        if (!macsKnown)
        {
            checks.Skip(ConsumerChecks.MacSetId, target, "Not judged: the MACs a PF sets for its VFs come from the kernel (netlink), which a copied host tree does not hold.");
            return;
        }

        var unset = vfs.Where(vf => !IsSet(vf.MacAddress)).ToList();
        var stale = vfs.Where(vf => IsSet(vf.MacAddress))
            .Select(vf => (Vf: vf, Carried: CarriedMac(files, vf)))
            .Where(c => c.Carried is not null && !SameMac(c.Carried, c.Vf.MacAddress!))
            .Select(c => (c.Vf, Carried: c.Carried!)).ToList();
        if (unset.Count == 0 && stale.Count == 0)
        {
            checks.Pass(ConsumerChecks.MacSetId, target, string.Create(CultureInfo.InvariantCulture,
                $"{target} sets a MAC for each of its {vfs.Count} VFs ({Listed(vfs, MacText)})."));
            return;
        }

        var findings = new List<string>();
        var remedies = new List<string>();
        if (unset.Count > 0)
        {
            findings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{target} sets no MAC for {unset.Count} of its {vfs.Count} VFs ({Listed(unset, MacText)}): such a VF ") +
                "makes up a random MAC whenever its driver starts, so the host, the container and the switch disagree.");
            // A VF with an interface here has started its driver already: only a rebind makes it take the new MAC.
            string rebind = unset.Exists(vf => vf.Name is not null) ? " -Rebind" : "";
            remedies.Add(PfChecks.VfCommand(pf, "Set-SriovVf", $"-Index {Indexes(unset)} -MacAddress Auto -Persist{rebind}"));
        }

        if (stale.Count > 0)
        {
            string list = Listed(stale, s => $"vf {s.Vf.Index} {s.Vf.Name} carries {s.Carried}, the PF sets {s.Vf.MacAddress}");
            findings.Add(string.Create(CultureInfo.InvariantCulture,
                $"The interfaces of {stale.Count} VFs of {target} do not carry the MAC the PF sets ({list}): ") +
                "a VF's driver takes a MAC set later only when it next starts, so the host and the container disagree. " +
                "-Rebind restarts the driver of a VF whose interface is down and not in use.");
            remedies.Add(PfChecks.VfCommand(pf, "Set-SriovVf", $"-Index {Indexes(stale.Select(s => s.Vf))} -Rebind"));
        }

        checks.Fail(ConsumerChecks.MacSetId, target, string.Join(" ", findings), string.Join("; ", remedies));
    }

    /// <summary>The address the VF's interface carries now; <c>null</c> when it has none here or it is not a MAC (never judged on a guess).</summary>
    private static string? CarriedMac(HostFileSystem files, SriovVf vf) =>
        vf.Name is { } name && files.ReadAttribute(SriovDiscovery.ClassNet + "/" + name + "/address")?.Trim() is { } text && MacAddress.TryParse(text) is not null
            ? text
            : null;

    /// <summary>Whether two MACs are one, however each is written (case, separators).</summary>
    private static bool SameMac(string carried, string set) =>
        MacAddress.TryParse(carried) is { } a && MacAddress.TryParse(set) is { } b && a.AsSpan().SequenceEqual(b);

    /// <summary>Whether the PF reported a MAC for the VF other than all zeros.</summary>
    internal static bool IsSet(string? mac) =>
        MacAddress.TryParse(mac) is { } octets && !Array.TrueForAll(octets, static octet => octet == 0);

    /// <summary>Adds a Skip when the PF has no VFs; returns whether it did.</summary>
    private static bool NoVfs(HostCheckList checks, string id, SriovPf pf, IReadOnlyList<SriovVf> vfs)
    {
        if (vfs.Count > 0)
        {
            return false;
        }

        checks.Skip(id, pf.ToString(), $"Not judged: {pf} has no VFs ({PfChecks.VfsEnabledId}).");
        return true;
    }

    private static string DriverText(SriovVf vf) => vf.Driver is null
        ? string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index} unbound")
        : string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index} on {vf.Driver}");

    private static string InterfaceText(SriovVf vf) => string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index} {vf.Name} on {vf.Driver}");

    private static string NodeText(SriovVf vf) => vf.IommuGroup is int group
        ? string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index}: no {SriovDiscovery.VfioDevicePath(group)}")
        : string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index}: no IOMMU group");

    /// <summary>The first few VFs as text (vf 0 on igbvf, vf 3 unbound, …).</summary>
    private static string Listed<T>(IReadOnlyList<T> vfs, Func<T, string> text) =>
        string.Join(", ", vfs.Take(6).Select(text)) + (vfs.Count > 6 ? ", …" : "");

    private static string MacText(SriovVf vf) => string.Create(CultureInfo.InvariantCulture, $"vf {vf.Index} {vf.MacAddress ?? "none reported"}");

    private static string Indexes(IEnumerable<SriovVf> vfs) => string.Join(",", vfs.Select(v => v.Index.ToString(CultureInfo.InvariantCulture)));
}
