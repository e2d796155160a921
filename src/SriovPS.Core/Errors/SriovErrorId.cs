namespace SriovPS.Errors;

/// <summary>
/// One kind of failure: its stable name and the category PowerShell files it under. Ids exist only as
/// the <see cref="ErrorCatalog"/>'s fields, so an error cannot be raised under a category of its own choosing.
/// </summary>
public sealed class SriovErrorId
{
    internal SriovErrorId(string name, SriovErrorCategory category)
    {
        Name = name;
        Category = category;
    }

    /// <summary>The id, the first part of the FullyQualifiedErrorId.</summary>
    public string Name { get; }

    public SriovErrorCategory Category { get; }

    public override string ToString() => Name;
}
