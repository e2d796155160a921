using System;
using System.Collections.Generic;
using System.Collections.Frozen;

namespace SriovPS.Errors;

/// <summary>
/// Every error id the module reports, and its category: the one table the cmdlets map through.
/// An id is the problem in PascalCase (<c>SriovPfNotFound</c>); PowerShell appends the command name
/// to form the FullyQualifiedErrorId users match on, so ids are public contract and never renamed.
/// </summary>
public static class ErrorCatalog
{
    public const string PlatformNotSupported = "PlatformNotSupported";
    public const string HostRootNotFound = "HostRootNotFound";
    public const string InvalidInterfaceName = "InvalidInterfaceName";
    public const string InvalidPciAddress = "InvalidPciAddress";
    public const string InvalidWildcardPattern = "InvalidWildcardPattern";
    public const string SriovPfNotFound = "SriovPfNotFound";
    public const string InterfaceNotFound = "InterfaceNotFound";
    public const string NetlinkPermissionDenied = "NetlinkPermissionDenied";
    public const string KernelLinkUnreadable = "KernelLinkUnreadable";
    public const string InvalidMacAddress = "InvalidMacAddress";
    public const string InvalidVfSetting = "InvalidVfSetting";
    public const string SriovVfNotFound = "SriovVfNotFound";
    public const string PfInterfaceMissing = "PfInterfaceMissing";
    public const string LiveHostRequired = "LiveHostRequired";
    public const string ObjectFromOtherHost = "ObjectFromOtherHost";
    public const string VfGivenForPf = "VfGivenForPf";
    public const string PipedObjectUnreadable = "PipedObjectUnreadable";
    public const string ConfirmationUnavailable = "ConfirmationUnavailable";
    public const string VfSettingNotSupported = "VfSettingNotSupported";
    public const string VfSettingRejected = "VfSettingRejected";
    public const string VfSettingFailed = "VfSettingFailed";
    public const string SysfsPermissionDenied = "SysfsPermissionDenied";
    public const string VfRebindFailed = "VfRebindFailed";
    public const string VfCountOutOfRange = "VfCountOutOfRange";
    public const string VfsInUse = "VfsInUse";
    public const string HostChangeInProgress = "HostChangeInProgress";
    public const string VfCountNotSupported = "VfCountNotSupported";
    public const string PfDriverMissing = "PfDriverMissing";
    public const string VfCountFailed = "VfCountFailed";
    public const string VfsNotReady = "VfsNotReady";
    public const string ConfigFileReadOnly = "ConfigFileReadOnly";
    public const string ConfigFilePermissionDenied = "ConfigFilePermissionDenied";
    public const string ConfigFileWriteFailed = "ConfigFileWriteFailed";
    public const string InvalidDriverName = "InvalidDriverName";
    public const string DriverNotAvailable = "DriverNotAvailable";
    public const string IommuGroupShared = "IommuGroupShared";
    public const string VfioRequiresIommu = "VfioRequiresIommu";
    public const string VfDriverChangeFailed = "VfDriverChangeFailed";
    public const string InvalidPfSetting = "InvalidPfSetting";
    public const string PfSettingNotSupported = "PfSettingNotSupported";
    public const string PfSettingRejected = "PfSettingRejected";
    public const string PfSettingFailed = "PfSettingFailed";
    public const string EswitchModeNotSupported = "EswitchModeNotSupported";
    public const string EswitchModeRejected = "EswitchModeRejected";
    public const string EswitchModeBusy = "EswitchModeBusy";
    public const string EswitchModeFailed = "EswitchModeFailed";
    public const string EswitchModeUnreadable = "EswitchModeUnreadable";
    public const string NetworkConfigNotOwned = "NetworkConfigNotOwned";
    public const string NetworkConfigConflict = "NetworkConfigConflict";
    public const string LibvirtNotInstalled = "LibvirtNotInstalled";
    public const string LibvirtConnectionFailed = "LibvirtConnectionFailed";
    public const string LibvirtPermissionDenied = "LibvirtPermissionDenied";
    public const string LibvirtNetworkNotFound = "LibvirtNetworkNotFound";
    public const string LibvirtNetworkExists = "LibvirtNetworkExists";
    public const string LibvirtDefinitionRejected = "LibvirtDefinitionRejected";
    public const string LibvirtOperationFailed = "LibvirtOperationFailed";
    public const string LibvirtNetworkInUse = "LibvirtNetworkInUse";
    public const string InvalidNetworkName = "InvalidNetworkName";
    public const string SriovPoolEmpty = "SriovPoolEmpty";
    public const string VmNotFound = "VmNotFound";
    public const string VmSriovInterfaceNotFound = "VmSriovInterfaceNotFound";
    public const string NotSriovNetwork = "NotSriovNetwork";
    public const string NotSriovInterface = "NotSriovInterface";
    public const string InvalidVmInterfaceArgument = "InvalidVmInterfaceArgument";
    public const string MacAddressInUse = "MacAddressInUse";
    public const string VfOwnedByGuest = "VfOwnedByGuest";
    public const string VmNotRunning = "VmNotRunning";
    public const string GuestPciSlotsExhausted = "GuestPciSlotsExhausted";
    public const string SriovPoolExhausted = "SriovPoolExhausted";
    public const string PfNotOnline = "PfNotOnline";
    public const string GrubDefaultsNotFound = "GrubDefaultsNotFound";
    public const string GrubDefaultsUneditable = "GrubDefaultsUneditable";
    public const string IommuVendorUnknown = "IommuVendorUnknown";
    public const string InvalidMaxVfs = "InvalidMaxVfs";
    public const string GrubRegeneratorNotFound = "GrubRegeneratorNotFound";
    public const string GrubRegenerateFailed = "GrubRegenerateFailed";
    public const string IommuGroupNotFound = "IommuGroupNotFound";
    public const string AppArmorReloadFailed = "AppArmorReloadFailed";
    public const string InvalidDeviceName = "InvalidDeviceName";
    public const string HostPathOutsideRoot = "HostPathOutsideRoot";
    public const string HostPathWrongType = "HostPathWrongType";

    private static readonly FrozenDictionary<string, SriovErrorCategory> Categories =
        new Dictionary<string, SriovErrorCategory>(StringComparer.Ordinal)
        {
            [PlatformNotSupported] = SriovErrorCategory.NotImplemented,
            [HostRootNotFound] = SriovErrorCategory.ObjectNotFound,
            [InvalidInterfaceName] = SriovErrorCategory.InvalidArgument,
            [InvalidPciAddress] = SriovErrorCategory.InvalidArgument,
            [ObjectFromOtherHost] = SriovErrorCategory.InvalidArgument,
            [VfGivenForPf] = SriovErrorCategory.InvalidArgument,
            [PipedObjectUnreadable] = SriovErrorCategory.NotImplemented,
            [InvalidWildcardPattern] = SriovErrorCategory.InvalidArgument,
            [SriovPfNotFound] = SriovErrorCategory.ObjectNotFound,
            [InterfaceNotFound] = SriovErrorCategory.ObjectNotFound,
            [NetlinkPermissionDenied] = SriovErrorCategory.PermissionDenied,
            [KernelLinkUnreadable] = SriovErrorCategory.ReadError,
            [InvalidMacAddress] = SriovErrorCategory.InvalidArgument,
            [InvalidVfSetting] = SriovErrorCategory.InvalidArgument,
            [SriovVfNotFound] = SriovErrorCategory.ObjectNotFound,
            [PfInterfaceMissing] = SriovErrorCategory.InvalidOperation,
            [LiveHostRequired] = SriovErrorCategory.InvalidOperation,
            [ConfirmationUnavailable] = SriovErrorCategory.InvalidOperation,
            [VfSettingNotSupported] = SriovErrorCategory.NotImplemented,
            [VfSettingRejected] = SriovErrorCategory.InvalidArgument,
            [VfSettingFailed] = SriovErrorCategory.WriteError,
            [SysfsPermissionDenied] = SriovErrorCategory.PermissionDenied,
            [VfRebindFailed] = SriovErrorCategory.WriteError,
            [VfCountOutOfRange] = SriovErrorCategory.LimitsExceeded,
            [VfsInUse] = SriovErrorCategory.ResourceBusy,
            [HostChangeInProgress] = SriovErrorCategory.ResourceBusy,
            [VfCountNotSupported] = SriovErrorCategory.NotImplemented,
            [PfDriverMissing] = SriovErrorCategory.InvalidOperation,
            [VfCountFailed] = SriovErrorCategory.WriteError,
            [VfsNotReady] = SriovErrorCategory.OperationTimeout,
            [ConfigFileReadOnly] = SriovErrorCategory.WriteError,
            [ConfigFilePermissionDenied] = SriovErrorCategory.PermissionDenied,
            [ConfigFileWriteFailed] = SriovErrorCategory.WriteError,
            [InvalidDriverName] = SriovErrorCategory.InvalidArgument,
            [DriverNotAvailable] = SriovErrorCategory.NotInstalled,
            [IommuGroupShared] = SriovErrorCategory.InvalidOperation,
            [VfioRequiresIommu] = SriovErrorCategory.InvalidOperation,
            [VfDriverChangeFailed] = SriovErrorCategory.WriteError,
            [InvalidPfSetting] = SriovErrorCategory.InvalidArgument,
            [PfSettingNotSupported] = SriovErrorCategory.NotImplemented,
            [PfSettingRejected] = SriovErrorCategory.InvalidArgument,
            [PfSettingFailed] = SriovErrorCategory.WriteError,
            [EswitchModeNotSupported] = SriovErrorCategory.NotImplemented,
            [EswitchModeRejected] = SriovErrorCategory.InvalidArgument,
            [EswitchModeBusy] = SriovErrorCategory.ResourceBusy,
            [EswitchModeFailed] = SriovErrorCategory.WriteError,
            [EswitchModeUnreadable] = SriovErrorCategory.ReadError,
            [NetworkConfigNotOwned] = SriovErrorCategory.InvalidOperation,
            [NetworkConfigConflict] = SriovErrorCategory.InvalidOperation,
            [LibvirtNotInstalled] = SriovErrorCategory.NotInstalled,
            [LibvirtConnectionFailed] = SriovErrorCategory.ConnectionError,
            [LibvirtPermissionDenied] = SriovErrorCategory.PermissionDenied,
            [LibvirtNetworkNotFound] = SriovErrorCategory.ObjectNotFound,
            [LibvirtNetworkExists] = SriovErrorCategory.ResourceExists,
            [LibvirtDefinitionRejected] = SriovErrorCategory.InvalidArgument,
            [LibvirtOperationFailed] = SriovErrorCategory.InvalidOperation,
            [LibvirtNetworkInUse] = SriovErrorCategory.ResourceBusy,
            [InvalidNetworkName] = SriovErrorCategory.InvalidArgument,
            [SriovPoolEmpty] = SriovErrorCategory.InvalidOperation,
            [VmNotFound] = SriovErrorCategory.ObjectNotFound,
            [VmSriovInterfaceNotFound] = SriovErrorCategory.ObjectNotFound,
            [NotSriovNetwork] = SriovErrorCategory.InvalidArgument,
            [NotSriovInterface] = SriovErrorCategory.InvalidArgument,
            [InvalidVmInterfaceArgument] = SriovErrorCategory.InvalidArgument,
            [MacAddressInUse] = SriovErrorCategory.ResourceExists,
            [VfOwnedByGuest] = SriovErrorCategory.ResourceBusy,
            [VmNotRunning] = SriovErrorCategory.InvalidOperation,
            [GuestPciSlotsExhausted] = SriovErrorCategory.LimitsExceeded,
            [SriovPoolExhausted] = SriovErrorCategory.ResourceUnavailable,
            [PfNotOnline] = SriovErrorCategory.InvalidOperation,
            [GrubDefaultsNotFound] = SriovErrorCategory.ObjectNotFound,
            [GrubDefaultsUneditable] = SriovErrorCategory.InvalidData,
            [IommuVendorUnknown] = SriovErrorCategory.InvalidOperation,
            [InvalidMaxVfs] = SriovErrorCategory.InvalidArgument,
            [GrubRegeneratorNotFound] = SriovErrorCategory.NotInstalled,
            [GrubRegenerateFailed] = SriovErrorCategory.WriteError,
            [IommuGroupNotFound] = SriovErrorCategory.ObjectNotFound,
            [AppArmorReloadFailed] = SriovErrorCategory.WriteError,
            [InvalidDeviceName] = SriovErrorCategory.InvalidData,
            [HostPathOutsideRoot] = SriovErrorCategory.PermissionDenied,
            [HostPathWrongType] = SriovErrorCategory.InvalidOperation,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>All ids with their categories.</summary>
    public static IReadOnlyDictionary<string, SriovErrorCategory> Entries => Categories;

    /// <summary>The category of a known error id.</summary>
    /// <exception cref="ArgumentException">The id is not in the catalog: a defect in the module.</exception>
    public static SriovErrorCategory CategoryOf(string errorId) =>
        Categories.TryGetValue(errorId, out var category)
            ? category
            : throw new ArgumentException($"Error id '{errorId}' is not in the error catalog.", nameof(errorId));
}
