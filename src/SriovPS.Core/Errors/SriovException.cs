namespace SriovPS.Errors;

/// <summary>
/// A failure the module reports to the user. Its <see cref="SriovErrorId"/> says which problem it is and,
/// with it, the category: callers tell failures apart by <see cref="Id"/> or <see cref="Category"/>.
/// </summary>
public sealed class SriovException(SriovErrorId id, string message, object? target = null, string? remedy = null, Exception? inner = null)
    : Exception(message, inner)
{
    public SriovErrorId Id { get; } = id;

    /// <summary>The stable id, the first part of the FullyQualifiedErrorId.</summary>
    public string ErrorId => Id.Name;

    public SriovErrorCategory Category => Id.Category;

    /// <summary>What the error is about: a PF name, a PCI address, a path.</summary>
    public object? Target { get; } = target;

    /// <summary>What the user can do about it, when there is something to say.</summary>
    public string? Remedy { get; } = remedy;
}
