using SriovPS.Native.Libvirt;

namespace SriovPS.Errors;

/// <summary>
/// Turns libvirt's errors into the module's typed errors, by libvirt's error number and in libvirt's
/// own words (which name the object and the reason).
/// </summary>
internal static class LibvirtErrors
{
    /// <summary>libvirt.so.0 is missing: every libvirt command ends with this.</summary>
    internal static SriovNotInstalledException NotInstalled(LibvirtNotInstalledException error) => new(
        ErrorCatalog.LibvirtNotInstalled,
        $"libvirt is not installed: {error.Message}.",
        error.FileName,
        $"Install the {LibvirtLibrary.Package} package (apt-get install {LibvirtLibrary.Package}), and libvirt-daemon-system for a local libvirtd.",
        error);

    /// <summary>virConnectOpen failed.</summary>
    internal static SriovException ConnectionFailed(string uri, LibvirtException error) => error.Code switch
    {
        LibvirtErrorCodes.AuthFailed or LibvirtErrorCodes.AuthUnavailable or LibvirtErrorCodes.AccessDenied or LibvirtErrorCodes.OperationDenied =>
            new SriovPermissionDeniedException(
                ErrorCatalog.LibvirtPermissionDenied,
                $"libvirt refused the connection to {uri}: {error.LibvirtMessage}",
                uri,
                "Run PowerShell as root, or as a member of the libvirt group.",
                error),
        _ => new SriovConnectionException(
            ErrorCatalog.LibvirtConnectionFailed,
            $"Cannot connect to libvirt at {uri}: {error.LibvirtMessage}",
            uri,
            uri.StartsWith("qemu:///", System.StringComparison.Ordinal) || uri.StartsWith("network:///", System.StringComparison.Ordinal)
                ? "Start libvirtd (systemctl start libvirtd), or name another URI with -Uri or $env:LIBVIRT_DEFAULT_URI."
                : "Check the URI and that its libvirt daemon is running and reachable.",
            error),
    };

    /// <summary>
    /// A call on a network failed; <paramref name="doing"/> says what the module was doing ("define
    /// network 'x'"), and <paramref name="note"/>, when given, what state that left behind.
    /// </summary>
    internal static SriovException ForNetwork(LibvirtException error, string network, string doing, string? note = null)
    {
        string said = note is null ? error.LibvirtMessage ?? error.Message : $"{error.LibvirtMessage ?? error.Message}. {note}";
        return Map(error, network, doing, said);
    }

    private static SriovException Map(LibvirtException error, string network, string doing, string said) => error.Code switch
    {
        LibvirtErrorCodes.NoNetwork => NetworkNotFound(network, error),
        LibvirtErrorCodes.NetworkExists => new SriovResourceExistsException(
            ErrorCatalog.LibvirtNetworkExists,
            $"Could not {doing}: {said}",
            network,
            "Choose another -Name, or remove the existing network with Remove-LibvirtSriovNetwork.",
            error),
        LibvirtErrorCodes.OperationFailed when error.LibvirtMessage?.Contains("already exists", System.StringComparison.Ordinal) == true =>
            new SriovResourceExistsException(
                ErrorCatalog.LibvirtNetworkExists,
                $"Could not {doing}: {said}",
                network,
                "Choose another -Name, or remove the existing network with Remove-LibvirtSriovNetwork.",
                error),
        LibvirtErrorCodes.XmlError or LibvirtErrorCodes.XmlDetail or LibvirtErrorCodes.XmlInvalidSchema
            or LibvirtErrorCodes.ConfigUnsupported or LibvirtErrorCodes.InvalidArg => new SriovInvalidArgumentException(
                ErrorCatalog.LibvirtDefinitionRejected,
                $"libvirt rejected the definition when asked to {doing}: {said}",
                network,
                null,
                error),
        LibvirtErrorCodes.OperationDenied or LibvirtErrorCodes.AccessDenied => new SriovPermissionDeniedException(
            ErrorCatalog.LibvirtPermissionDenied,
            $"libvirt refused to {doing}: {said}",
            network,
            "Connect read-write as root, or as a member of the libvirt group.",
            error),
        LibvirtErrorCodes.SystemError or LibvirtErrorCodes.Rpc when error.Domain is RpcDomain or RemoteDomain => new SriovConnectionException(
            ErrorCatalog.LibvirtConnectionFailed,
            $"The connection to libvirt broke while asked to {doing}: {said}",
            network,
            "Check that libvirtd is still running, then run the command again.",
            error),
        _ => new SriovInvalidOperationException(
            ErrorCatalog.LibvirtOperationFailed,
            $"libvirt could not {doing}: {said}",
            network,
            null,
            error),
    };

    internal static SriovObjectNotFoundException NetworkNotFound(string network, LibvirtException? error = null) => new(
        ErrorCatalog.LibvirtNetworkNotFound,
        $"There is no libvirt network '{network}'.",
        network,
        "Run Get-LibvirtSriovNetwork to list the SR-IOV networks.",
        error);

    // virErrorDomain: VIR_FROM_RPC and VIR_FROM_REMOTE (include/libvirt/virterror.h).
    private const int RpcDomain = 7;
    private const int RemoteDomain = 13;
}
