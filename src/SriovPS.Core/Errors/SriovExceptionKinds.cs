using System;

namespace SriovPS.Errors;

// One exception type per failure kind, so callers catch by meaning and the cmdlet boundary maps
// each to its ErrorCategory. These are small by design: the error id and message carry the detail.

public sealed class SriovObjectNotFoundException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ObjectNotFound, errorId, message, target, remedy, inner);

public sealed class SriovInvalidArgumentException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.InvalidArgument, errorId, message, target, remedy, inner);

public sealed class SriovInvalidOperationException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.InvalidOperation, errorId, message, target, remedy, inner);

public sealed class SriovPermissionDeniedException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.PermissionDenied, errorId, message, target, remedy, inner);

public sealed class SriovResourceBusyException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ResourceBusy, errorId, message, target, remedy, inner);

public sealed class SriovResourceExistsException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ResourceExists, errorId, message, target, remedy, inner);

public sealed class SriovLimitsExceededException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.LimitsExceeded, errorId, message, target, remedy, inner);

public sealed class SriovNotImplementedException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.NotImplemented, errorId, message, target, remedy, inner);

public sealed class SriovNotInstalledException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.NotInstalled, errorId, message, target, remedy, inner);

public sealed class SriovConnectionException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ConnectionError, errorId, message, target, remedy, inner);

public sealed class SriovWriteException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.WriteError, errorId, message, target, remedy, inner);

public sealed class SriovReadException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ReadError, errorId, message, target, remedy, inner);

public sealed class SriovOperationTimeoutException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.OperationTimeout, errorId, message, target, remedy, inner);

public sealed class SriovResourceUnavailableException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.ResourceUnavailable, errorId, message, target, remedy, inner);

public sealed class SriovInvalidDataException(string errorId, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : SriovException(SriovErrorCategory.InvalidData, errorId, message, target, remedy, inner);
