namespace SriovPS.Boot;

/// <summary>
/// <c>/etc/modules-load.d/vfio.conf</c>, which systemd-modules-load reads at boot: the vfio modules a
/// VF needs to be bound to vfio-pci are added when missing ('-' and '_' alike, as modprobe reads
/// them); every other line, comment and module stays.
/// </summary>
internal static class VfioModulesLoad
{
    public const string HostPath = "/etc/modules-load.d/vfio.conf";

    /// <summary>In load order: the core, its IOMMU backend, the PCI driver.</summary>
    public static readonly IReadOnlyList<string> Modules = ["vfio", "vfio_iommu_type1", "vfio_pci"];

    private const string Header = "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.\n";

    /// <summary>The file's new text, and the modules it adds; the text is <paramref name="text"/> itself when none is missing.</summary>
    public static (string Text, List<string> Added) Plan(string? text)
    {
        var listed = (text ?? string.Empty).Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] is not ('#' or ';'))
            .Select(Normalize)
            .ToHashSet(StringComparer.Ordinal);
        var added = Modules.Where(m => !listed.Contains(m)).ToList();
        if (added.Count == 0)
        {
            return (text!, added);
        }

        string start = text is null ? Header : text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";
        return (start + string.Concat(added.Select(m => m + "\n")), added);
    }

    private static string Normalize(string module) => module.Replace('-', '_');
}
