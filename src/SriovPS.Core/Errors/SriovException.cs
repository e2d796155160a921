using System;

namespace SriovPS.Errors;

/// <summary>
/// A failure the module reports to the user. Each failure kind is a subclass bound to one
/// <see cref="SriovErrorCategory"/>; the error id says which problem, and the catalog must agree
/// with the kind, so an id can never surface under two categories.
/// </summary>
public abstract class SriovException : Exception
{
    private protected SriovException(
        SriovErrorCategory kind, string errorId, string message, object? target, string? remedy, Exception? inner)
        : base(message, inner)
    {
        var category = ErrorCatalog.CategoryOf(errorId);
        if (category != kind)
        {
            throw new ArgumentException(
                $"Error id '{errorId}' is catalogued as {category} but raised as {kind}.", nameof(errorId));
        }

        ErrorId = errorId;
        Category = category;
        Target = target;
        Remedy = remedy;
    }

    /// <summary>The stable id, the first part of the FullyQualifiedErrorId.</summary>
    public string ErrorId { get; }

    public SriovErrorCategory Category { get; }

    /// <summary>What the error is about: a PF name, a PCI address, a path.</summary>
    public object? Target { get; }

    /// <summary>What the user can do about it, when there is something to say.</summary>
    public string? Remedy { get; }
}
