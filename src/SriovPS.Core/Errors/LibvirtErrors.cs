using SriovPS.Native.Libvirt;

namespace SriovPS.Errors;

/// <summary>
/// Turns libvirt's errors into the module's typed errors, by libvirt's error number and in libvirt's
/// own words (which name the object and the reason).
/// </summary>
internal static class LibvirtErrors
{
    /// <summary>libvirt.so.0 is missing: every libvirt command ends with this.</summary>
    internal static SriovException NotInstalled(LibvirtNotInstalledException error) => new(
        ErrorCatalog.LibvirtNotInstalled,
        $"libvirt is not installed: {error.Message}.",
        error.FileName,
        $"Install the {LibvirtLibrary.Package} package (apt-get install {LibvirtLibrary.Package}), and libvirt-daemon-system for a local libvirtd.",
        error);

    /// <summary>virConnectOpen failed.</summary>
    internal static SriovException ConnectionFailed(string uri, LibvirtException error) => error.Code switch
    {
        LibvirtErrorCodes.AuthFailed or LibvirtErrorCodes.AuthUnavailable or LibvirtErrorCodes.AccessDenied or LibvirtErrorCodes.OperationDenied =>
            new SriovException(
                ErrorCatalog.LibvirtPermissionDenied,
                $"libvirt refused the connection to {uri}: {error.LibvirtMessage}",
                uri,
                "Run PowerShell as root, or as a member of the libvirt group.",
                error),
        _ => new SriovException(
            ErrorCatalog.LibvirtConnectionFailed,
            $"Cannot connect to libvirt at {uri}: {error.LibvirtMessage}",
            uri,
            uri.StartsWith("qemu:///", System.StringComparison.Ordinal) || uri.StartsWith("qemu+unix:///", System.StringComparison.Ordinal)
                || uri.StartsWith("network:///", System.StringComparison.Ordinal)
                ? "Start libvirtd (systemctl start libvirtd), or name another URI with -Uri or $env:LIBVIRT_DEFAULT_URI."
                : "Check the URI and that its libvirt daemon is running and reachable.",
            error),
    };

    /// <summary>
    /// -Network given only empty names (an unset variable): they name no pool, and must not stand for
    /// every pool; <paramref name="withoutIt"/> says what leaving -Network out does instead.
    /// </summary>
    public static SriovException NoNetworkNamed(string withoutIt) => new(
        ErrorCatalog.InvalidNetworkName,
        "-Network was given only empty names, which name no pool.",
        "Network",
        $"Give SR-IOV network names (Get-LibvirtSriovNetwork lists them), or leave -Network out to {withoutIt}.");

    /// <summary>
    /// A call on a network failed; <paramref name="doing"/> says what the module was doing ("define
    /// network 'x'"), and <paramref name="note"/>, when given, what state that left behind.
    /// </summary>
    internal static SriovException ForNetwork(LibvirtException error, string network, string doing, string? note = null)
    {
        string said = note is null ? error.LibvirtMessage ?? error.Message : $"{error.LibvirtMessage ?? error.Message}. {note}";
        return Map(error, network, doing, said);
    }

    /// <summary>
    /// A call on guest <paramref name="vm"/> failed while the module was asked to <paramref name="doing"/>.
    /// The seeds' failures get their own ids and remedies: no free PCI slot for a live attach, an
    /// exhausted pool, a PF that is down.
    /// </summary>
    internal static SriovException ForGuest(LibvirtException error, string vm, string doing)
    {
        string said = (error.LibvirtMessage ?? error.Message).TrimEnd('.');
        if (error.Code == LibvirtErrorCodes.NoDomain)
        {
            return VmNotFound(vm, error);
        }

        if (error.Code == LibvirtErrorCodes.NoNetwork)
        {
            return new SriovException(
                ErrorCatalog.LibvirtNetworkNotFound,
                $"Could not {doing}: {said}.",
                vm,
                "Run Get-LibvirtSriovNetwork to list the SR-IOV networks; the guest's interfaces name one that does not exist now.",
                error);
        }

        if (IsNoPciSlots(error))
        {
            return new SriovException(
                ErrorCatalog.GuestPciSlotsExhausted,
                $"Could not {doing}: {said}: the running guest '{vm}' has no free PCI slot for another device.",
                vm,
                "Add the interface to the definition only (-Config without -Live) and restart the guest: libvirt then adds the PCIe root ports it needs.",
                error);
        }

        if (said.Contains(PoolExhaustedText, StringComparison.Ordinal))
        {
            return new SriovException(
                ErrorCatalog.SriovPoolExhausted,
                $"Could not {doing}: {said}.",
                vm,
                "Free a VF of the pool (stop a guest that uses it, or remove one of its interfaces), or give the PF more VFs with Enable-SriovVf; Get-LibvirtSriovNetwork shows InUse and Free.",
                error);
        }

        if (said.Contains("PF is not online", StringComparison.Ordinal))
        {
            var pf = System.Text.RegularExpressions.Regex.Match(said, "PF '([^']+)'");
            string name = pf.Success ? pf.Groups[1].Value : "<pf>";
            return new SriovException(
                ErrorCatalog.PfNotOnline,
                $"Could not {doing}: {said}.",
                vm,
                $"Bring the PF up, now and at boot: Set-SriovPf -Name {name} -LinkState Up -Persist.",
                error);
        }

        if (error.Code == LibvirtErrorCodes.OperationInvalid && said.Contains("not running", StringComparison.Ordinal))
        {
            return VmNotRunning(vm, doing, error);
        }

        return Map(error, vm, doing, said);
    }

    /// <summary>The guest called <paramref name="vm"/>; VmNotFound when there is none, a mapped error when libvirt fails.</summary>
    internal static LibvirtDomain LookupGuest(LibvirtConnection connection, string vm)
    {
        try
        {
            return connection.LookupDomain(vm) ?? throw VmNotFound(vm);
        }
        catch (LibvirtException e)
        {
            throw ForGuest(e, vm, $"look up the guest '{vm}'");
        }
    }

    /// <summary>Whether a live attach failed because the guest has no free PCI slot (libvirt's "No more available PCI slots").</summary>
    internal static bool IsNoPciSlots(LibvirtException error) =>
        error.LibvirtMessage?.Contains("No more available PCI slots", StringComparison.Ordinal) == true;

    internal static SriovException VmNotFound(string vm) => VmNotFound(vm, null);

    internal static SriovException VmNotFound(string vm, LibvirtException? error) => new(
        ErrorCatalog.VmNotFound,
        $"There is no libvirt guest '{vm}'.",
        vm,
        "Run 'virsh list --all' to list the guests, or check -Uri.",
        error);

    internal static SriovException VmNotRunning(string vm, string doing, LibvirtException? error = null) => new(
        ErrorCatalog.VmNotRunning,
        $"Could not {doing}: the guest '{vm}' is not running.",
        vm,
        "Leave out -Live to change only the guest's definition (used from its next start), or start the guest first.",
        error);

    // The seeds' failure at guest start when a pool has no free VF (libvirt's network driver words).
    internal const string PoolExhaustedText = "requires exclusive access to interfaces, but none are available";

    private static SriovException Map(LibvirtException error, string network, string doing, string said) => error.Code switch
    {
        LibvirtErrorCodes.NoNetwork => NetworkNotFound(network, error),
        LibvirtErrorCodes.NetworkExists => new SriovException(
            ErrorCatalog.LibvirtNetworkExists,
            $"Could not {doing}: {said}",
            network,
            "Choose another -Name, or remove the existing network with Remove-LibvirtSriovNetwork.",
            error),
        LibvirtErrorCodes.OperationFailed when error.LibvirtMessage?.Contains("already exists", System.StringComparison.Ordinal) == true =>
            new SriovException(
                ErrorCatalog.LibvirtNetworkExists,
                $"Could not {doing}: {said}",
                network,
                "Choose another -Name, or remove the existing network with Remove-LibvirtSriovNetwork.",
                error),
        LibvirtErrorCodes.XmlError or LibvirtErrorCodes.XmlDetail or LibvirtErrorCodes.XmlInvalidSchema
            or LibvirtErrorCodes.ConfigUnsupported or LibvirtErrorCodes.InvalidArg => new SriovException(
                ErrorCatalog.LibvirtDefinitionRejected,
                $"libvirt rejected the definition when asked to {doing}: {said}",
                network,
                null,
                error),
        LibvirtErrorCodes.OperationDenied or LibvirtErrorCodes.AccessDenied => new SriovException(
            ErrorCatalog.LibvirtPermissionDenied,
            $"libvirt refused to {doing}: {said}",
            network,
            "Connect read-write as root, or as a member of the libvirt group.",
            error),
        LibvirtErrorCodes.SystemError or LibvirtErrorCodes.Rpc when error.Domain is RpcDomain or RemoteDomain => new SriovException(
            ErrorCatalog.LibvirtConnectionFailed,
            $"The connection to libvirt broke while asked to {doing}: {said}",
            network,
            "Check that libvirtd is still running, then run the command again.",
            error),
        _ => new SriovException(
            ErrorCatalog.LibvirtOperationFailed,
            $"libvirt could not {doing}: {said}",
            network,
            null,
            error),
    };

    internal static SriovException NetworkNotFound(string network, LibvirtException? error = null) => new(
        ErrorCatalog.LibvirtNetworkNotFound,
        $"There is no libvirt network '{network}'.",
        network,
        "Run Get-LibvirtSriovNetwork to list the SR-IOV networks.",
        error);

    // virErrorDomain: VIR_FROM_RPC and VIR_FROM_REMOTE (include/libvirt/virterror.h).
    private const int RpcDomain = 7;
    private const int RemoteDomain = 13;
}
