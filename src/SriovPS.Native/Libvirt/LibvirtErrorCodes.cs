namespace SriovPS.Native.Libvirt;

/// <summary>The virErrorNumber values the module tells apart (include/libvirt/virterror.h).</summary>
internal static class LibvirtErrorCodes
{
    public const int InternalError = 1;
    public const int NoSupport = 3;
    public const int NoConnect = 5;
    public const int InvalidArg = 8;
    public const int OperationFailed = 9;
    public const int XmlError = 27;
    public const int DomainExists = 28;
    public const int OperationDenied = 29;
    public const int XmlDetail = 35;
    public const int NetworkExists = 37;
    public const int SystemError = 38;
    public const int Rpc = 39;
    public const int NoDomain = 42;
    public const int NoNetwork = 43;
    public const int AuthFailed = 45;
    public const int NoNodeDevice = 53;
    public const int OperationInvalid = 55;
    public const int ConfigUnsupported = 67;
    public const int OperationUnsupported = 84;
    public const int ResourceBusy = 87;
    public const int AccessDenied = 88;
    public const int XmlInvalidSchema = 92;
    public const int AuthUnavailable = 94;
    public const int NoNetworkPort = 107;
}
