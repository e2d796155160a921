using System.Globalization;

namespace SriovPS.Commands;

/// <summary>
/// What an object given to a command names, read from its properties whatever its type: a VF from
/// Get-SriovVf (or Select-Object, Import-Csv …) by its PF and index, a PF by its PCI address or
/// interface name, or a PF name given as text; and the computer it came from, when remoting says.
/// </summary>
internal sealed record PipedReference(string? PfAddress, string? PfName, int? Index, string? ComputerName, string? Origin = null)
{
    /// <summary>Whether it names one VF rather than a whole PF.</summary>
    public bool IsVf => Index is not null;

    /// <returns><c>null</c> when the object names no PF or VF.</returns>
    public static PipedReference? Read(PSObject item)
    {
        string? Property(string name) => item.Properties[name]?.Value?.ToString() is { Length: > 0 } value ? value : null;

        string? computer = Property("PSComputerName");
        string? origin = Property(SriovCmdlet.OriginProperty);
        int? index = int.TryParse(Property("Index"), NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : null;
        if (item.BaseObject is string name)
        {
            return new(null, name, null, null);
        }

        // A VF carries its own PciAddress as well: its PF's come first.
        if (index is not null && (Property("PfPciAddress") is not null || Property("PfName") is not null))
        {
            return new(Property("PfPciAddress"), Property("PfName"), index, computer, origin);
        }

        if (Property("PciAddress") is { } address)
        {
            return new(address, null, null, computer, origin);
        }

        return (Property("PfName") ?? Property("Name")) is { } named ? new(null, named, null, computer, origin) : null;
    }
}
