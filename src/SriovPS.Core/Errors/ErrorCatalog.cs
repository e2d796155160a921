using System.Collections.Frozen;
using System.Reflection;

namespace SriovPS.Errors;

/// <summary>
/// Every error the module reports, each id with its category: the one table the cmdlets map through.
/// An id is the problem in PascalCase (<c>SriovPfNotFound</c>); PowerShell appends the command name
/// to form the FullyQualifiedErrorId users match on, so ids are public contract and never renamed.
/// </summary>
public static class ErrorCatalog
{
    public static readonly SriovErrorId PlatformNotSupported = new(nameof(PlatformNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId HostRootNotFound = new(nameof(HostRootNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId InvalidInterfaceName = new(nameof(InvalidInterfaceName), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId InvalidPciAddress = new(nameof(InvalidPciAddress), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId InvalidWildcardPattern = new(nameof(InvalidWildcardPattern), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId SriovPfNotFound = new(nameof(SriovPfNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId InterfaceNotFound = new(nameof(InterfaceNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId NetlinkPermissionDenied = new(nameof(NetlinkPermissionDenied), SriovErrorCategory.PermissionDenied);
    public static readonly SriovErrorId KernelLinkUnreadable = new(nameof(KernelLinkUnreadable), SriovErrorCategory.ReadError);
    public static readonly SriovErrorId InvalidMacAddress = new(nameof(InvalidMacAddress), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId InvalidVfSetting = new(nameof(InvalidVfSetting), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId SriovVfNotFound = new(nameof(SriovVfNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId PfInterfaceMissing = new(nameof(PfInterfaceMissing), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId LiveHostRequired = new(nameof(LiveHostRequired), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId ObjectFromOtherHost = new(nameof(ObjectFromOtherHost), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId VfGivenForPf = new(nameof(VfGivenForPf), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId PipedObjectUnreadable = new(nameof(PipedObjectUnreadable), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId ConfirmationUnavailable = new(nameof(ConfirmationUnavailable), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId VfSettingNotSupported = new(nameof(VfSettingNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId VfSettingRejected = new(nameof(VfSettingRejected), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId VfSettingFailed = new(nameof(VfSettingFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId SysfsPermissionDenied = new(nameof(SysfsPermissionDenied), SriovErrorCategory.PermissionDenied);
    public static readonly SriovErrorId VfRebindFailed = new(nameof(VfRebindFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId VfCountOutOfRange = new(nameof(VfCountOutOfRange), SriovErrorCategory.LimitsExceeded);
    public static readonly SriovErrorId VfsInUse = new(nameof(VfsInUse), SriovErrorCategory.ResourceBusy);
    public static readonly SriovErrorId HostChangeInProgress = new(nameof(HostChangeInProgress), SriovErrorCategory.ResourceBusy);
    public static readonly SriovErrorId VfCountNotSupported = new(nameof(VfCountNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId PfDriverMissing = new(nameof(PfDriverMissing), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId VfCountFailed = new(nameof(VfCountFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId VfsNotReady = new(nameof(VfsNotReady), SriovErrorCategory.OperationTimeout);
    public static readonly SriovErrorId ConfigFileReadOnly = new(nameof(ConfigFileReadOnly), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId ConfigFilePermissionDenied = new(nameof(ConfigFilePermissionDenied), SriovErrorCategory.PermissionDenied);
    public static readonly SriovErrorId ConfigFileWriteFailed = new(nameof(ConfigFileWriteFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId InvalidDriverName = new(nameof(InvalidDriverName), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId DriverNotAvailable = new(nameof(DriverNotAvailable), SriovErrorCategory.NotInstalled);
    public static readonly SriovErrorId IommuGroupShared = new(nameof(IommuGroupShared), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId VfioRequiresIommu = new(nameof(VfioRequiresIommu), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId VfDriverChangeFailed = new(nameof(VfDriverChangeFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId InvalidPfSetting = new(nameof(InvalidPfSetting), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId PfSettingNotSupported = new(nameof(PfSettingNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId PfSettingRejected = new(nameof(PfSettingRejected), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId PfSettingFailed = new(nameof(PfSettingFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId EswitchModeNotSupported = new(nameof(EswitchModeNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId EswitchModeRejected = new(nameof(EswitchModeRejected), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId EswitchModeBusy = new(nameof(EswitchModeBusy), SriovErrorCategory.ResourceBusy);
    public static readonly SriovErrorId EswitchModeFailed = new(nameof(EswitchModeFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId EswitchModeUnreadable = new(nameof(EswitchModeUnreadable), SriovErrorCategory.ReadError);
    public static readonly SriovErrorId OffloadFeatureFixed = new(nameof(OffloadFeatureFixed), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId OffloadFeatureNotSupported = new(nameof(OffloadFeatureNotSupported), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId OffloadFeatureRejected = new(nameof(OffloadFeatureRejected), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId OffloadFeatureFailed = new(nameof(OffloadFeatureFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId OffloadFeatureUnreadable = new(nameof(OffloadFeatureUnreadable), SriovErrorCategory.ReadError);
    public static readonly SriovErrorId NetworkSettingNotPersistable = new(nameof(NetworkSettingNotPersistable), SriovErrorCategory.NotImplemented);
    public static readonly SriovErrorId NetworkConfigNotOwned = new(nameof(NetworkConfigNotOwned), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId NetworkConfigConflict = new(nameof(NetworkConfigConflict), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId LibvirtNotInstalled = new(nameof(LibvirtNotInstalled), SriovErrorCategory.NotInstalled);
    public static readonly SriovErrorId LibvirtConnectionFailed = new(nameof(LibvirtConnectionFailed), SriovErrorCategory.ConnectionError);
    public static readonly SriovErrorId LibvirtPermissionDenied = new(nameof(LibvirtPermissionDenied), SriovErrorCategory.PermissionDenied);
    public static readonly SriovErrorId LibvirtNetworkNotFound = new(nameof(LibvirtNetworkNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId LibvirtNetworkExists = new(nameof(LibvirtNetworkExists), SriovErrorCategory.ResourceExists);
    public static readonly SriovErrorId LibvirtDefinitionRejected = new(nameof(LibvirtDefinitionRejected), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId LibvirtOperationFailed = new(nameof(LibvirtOperationFailed), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId LibvirtNetworkInUse = new(nameof(LibvirtNetworkInUse), SriovErrorCategory.ResourceBusy);
    public static readonly SriovErrorId InvalidNetworkName = new(nameof(InvalidNetworkName), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId SriovPoolEmpty = new(nameof(SriovPoolEmpty), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId VmNotFound = new(nameof(VmNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId VmSriovInterfaceNotFound = new(nameof(VmSriovInterfaceNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId NotSriovNetwork = new(nameof(NotSriovNetwork), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId NotSriovInterface = new(nameof(NotSriovInterface), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId InvalidVmInterfaceArgument = new(nameof(InvalidVmInterfaceArgument), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId MacAddressInUse = new(nameof(MacAddressInUse), SriovErrorCategory.ResourceExists);
    public static readonly SriovErrorId PfMacAddressUnusable = new(nameof(PfMacAddressUnusable), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId IpProgramNotFound = new(nameof(IpProgramNotFound), SriovErrorCategory.NotInstalled);
    public static readonly SriovErrorId VfOwnedByGuest = new(nameof(VfOwnedByGuest), SriovErrorCategory.ResourceBusy);
    public static readonly SriovErrorId VmNotRunning = new(nameof(VmNotRunning), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId GuestPciSlotsExhausted = new(nameof(GuestPciSlotsExhausted), SriovErrorCategory.LimitsExceeded);
    public static readonly SriovErrorId SriovPoolExhausted = new(nameof(SriovPoolExhausted), SriovErrorCategory.ResourceUnavailable);
    public static readonly SriovErrorId PfNotOnline = new(nameof(PfNotOnline), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId GrubDefaultsNotFound = new(nameof(GrubDefaultsNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId GrubDefaultsUneditable = new(nameof(GrubDefaultsUneditable), SriovErrorCategory.InvalidData);
    public static readonly SriovErrorId IommuVendorUnknown = new(nameof(IommuVendorUnknown), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId InvalidMaxVfs = new(nameof(InvalidMaxVfs), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId GrubRegeneratorNotFound = new(nameof(GrubRegeneratorNotFound), SriovErrorCategory.NotInstalled);
    public static readonly SriovErrorId GrubRegenerateFailed = new(nameof(GrubRegenerateFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId IommuGroupNotFound = new(nameof(IommuGroupNotFound), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId AppArmorReloadFailed = new(nameof(AppArmorReloadFailed), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId InvalidDeviceName = new(nameof(InvalidDeviceName), SriovErrorCategory.InvalidData);
    public static readonly SriovErrorId HostPathOutsideRoot = new(nameof(HostPathOutsideRoot), SriovErrorCategory.PermissionDenied);
    public static readonly SriovErrorId HostPathWrongType = new(nameof(HostPathWrongType), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId InvalidResourceName = new(nameof(InvalidResourceName), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId InvalidExportArgument = new(nameof(InvalidExportArgument), SriovErrorCategory.InvalidArgument);
    public static readonly SriovErrorId NothingToExport = new(nameof(NothingToExport), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId NoVfioVfs = new(nameof(NoVfioVfs), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId InvalidConfiguration = new(nameof(InvalidConfiguration), SriovErrorCategory.InvalidData);
    public static readonly SriovErrorId ConfigurationNotMatched = new(nameof(ConfigurationNotMatched), SriovErrorCategory.ObjectNotFound);
    public static readonly SriovErrorId ConfigurationUnreadable = new(nameof(ConfigurationUnreadable), SriovErrorCategory.ReadError);
    public static readonly SriovErrorId ConfigurationNotReached = new(nameof(ConfigurationNotReached), SriovErrorCategory.InvalidResult);
    public static readonly SriovErrorId SnapshotUnreadable = new(nameof(SnapshotUnreadable), SriovErrorCategory.ReadError);
    public static readonly SriovErrorId SnapshotReadOnly = new(nameof(SnapshotReadOnly), SriovErrorCategory.InvalidOperation);
    public static readonly SriovErrorId SnapshotPathExists = new(nameof(SnapshotPathExists), SriovErrorCategory.ResourceExists);
    public static readonly SriovErrorId SnapshotNotWritten = new(nameof(SnapshotNotWritten), SriovErrorCategory.WriteError);
    public static readonly SriovErrorId InvalidSnapshotPath = new(nameof(InvalidSnapshotPath), SriovErrorCategory.InvalidArgument);

    private static readonly FrozenDictionary<string, SriovErrorId> ByName = typeof(ErrorCatalog)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(SriovErrorId))
        .Select(f => (SriovErrorId)f.GetValue(null)!)
        .ToFrozenDictionary(id => id.Name, StringComparer.Ordinal);

    /// <summary>All ids, by name.</summary>
    public static IReadOnlyDictionary<string, SriovErrorId> Entries => ByName;
}
