using SriovPS.Readiness;

namespace SriovPS.Consumers;

/// <summary>The checks one consumer of VFs has: those made once for the host, and those made for each PF.</summary>
/// <param name="HostWide">Ids of the checks made once (the Open vSwitch ones are <see cref="OvsOffloadChecks"/>'s own).</param>
/// <param name="PerPf">Ids of the checks made for each PF, in the order they are made.</param>
internal sealed record ConsumerCheckSet(SriovConsumer Consumer, IReadOnlyList<string> HostWide, IReadOnlyList<string> PerPf)
{
    public bool Has(string id) => HostWide.Contains(id) || PerPf.Contains(id);
}

/// <summary>
/// The one place that says which checks each consumer of VFs needs (<c>Test-SriovHost -For</c>). libvirt
/// guests need the whole host; KubeVirt and Kata pass VFs through vfio-pci (the IOMMU, vfio and a group
/// per VF) but not through this host's libvirt; Docker's SR-IOV plugin uses VFs on their kernel driver
/// (no IOMMU); Open vSwitch offload needs the PF in switchdev with its representors in a bridge.
/// </summary>
internal static class ConsumerChecks
{
    public const string VfioDriverId = "Vf.VfioDriver";
    public const string VfioDeviceId = "Vf.VfioDevice";
    public const string KernelDriverId = "Vf.KernelDriver";
    public const string MacSetId = "Vf.MacSet";
    public const string DevicePluginId = "KubeVirt.DevicePlugin";

    private static readonly string[] IommuAndVfio =
    [
        IommuChecks.EnabledId, IommuChecks.PassthroughId, IommuChecks.InterruptRemappingId, VfioChecks.LoadedId, VfioChecks.LoadAtBootId,
    ];

    private static readonly string[] PfBasics =
        [PfChecks.CapableId, PfChecks.DriverId, PfChecks.VfsEnabledId, PfChecks.VfCountPersistedId, PfChecks.LinkUpId];

    // Pf.VfIsolation already says whether each VF is alone in its IOMMU group, as Kata and KubeVirt need.
    private static readonly string[] VfioPf =
        [.. PfBasics, PfResourceChecks.VfIsolationId, PfResourceChecks.BarSpaceId, VfioDriverId, VfioDeviceId];

    private static readonly Dictionary<SriovConsumer, ConsumerCheckSet> Sets = new()
    {
        [SriovConsumer.Libvirt] = new(
            SriovConsumer.Libvirt,
            [.. IommuAndVfio, LibvirtChecks.ReachableId, LibvirtChecks.DynamicOwnershipId, LibvirtChecks.AppArmorVfioId, LibvirtChecks.AppArmorStaleId,
             PoolChecks.PoolStateId, PoolChecks.GuestPciSlotsId],
            [.. PfBasics, PfResourceChecks.VfIsolationId, PfResourceChecks.BarSpaceId]),
        [SriovConsumer.KubeVirt] = new(SriovConsumer.KubeVirt, IommuAndVfio, [.. VfioPf, DevicePluginId]),
        [SriovConsumer.Kata] = new(SriovConsumer.Kata, IommuAndVfio, VfioPf),
        [SriovConsumer.Docker] = new(SriovConsumer.Docker, [], [.. PfBasics, KernelDriverId, MacSetId]),
        [SriovConsumer.OvsOffload] = new(SriovConsumer.OvsOffload, [], PfBasics),
    };

    public static ConsumerCheckSet For(SriovConsumer consumer) =>
        Sets.TryGetValue(consumer, out var set) ? set : throw new ArgumentOutOfRangeException(nameof(consumer), consumer, "Not a consumer of VFs.");

    /// <summary>Whether the consumer's guests are started by this host's libvirt, so libvirt is read.</summary>
    public static bool ReadsLibvirt(SriovConsumer consumer) => consumer == SriovConsumer.Libvirt;

    /// <summary>Whether the consumer opens VFs through vfio itself: vfio must be loaded (at boot too) and interrupts remapped.</summary>
    public static bool NeedsVfio(SriovConsumer consumer) => consumer is SriovConsumer.KubeVirt or SriovConsumer.Kata;

    /// <summary>Whether Open vSwitch is asked.</summary>
    public static bool ReadsOvs(SriovConsumer consumer) => consumer == SriovConsumer.OvsOffload;
}
