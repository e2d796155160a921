using SriovPS.Discovery;
using SriovPS.Kernel;

namespace SriovPS.Boot;

/// <summary>A driver's VF count given at boot: <c>igb=7</c> becomes the kernel word <c>igb.max_vfs=7</c>.</summary>
internal readonly record struct ModuleMaxVfs(string Module, int Count)
{
    // The largest count the PCI SR-IOV capability can hold (TotalVFs is 16 bits).
    public const int MaxCount = 65535;

    public string Word => string.Create(CultureInfo.InvariantCulture, $"{Module}.max_vfs={Count}");

    /// <summary>
    /// Reads <c>DRIVER=COUNT</c>; the driver's name is normalised as the kernel reads it ('-' is '_') and
    /// put in lower case: module names are, and the kernel would ignore <c>IGB.max_vfs</c>.
    /// </summary>
    /// <exception cref="SriovException">It is not <c>DRIVER=COUNT</c> with a module name and a count of 0–65535.</exception>
    public static ModuleMaxVfs Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=');
        string module = equals > 0 ? text[..equals].Trim().Replace('-', '_').ToLowerInvariant() : string.Empty;
        string count = equals > 0 ? text[(equals + 1)..].Trim() : string.Empty;
        if (module.Length == 0 || module.Length > 55 || !module.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > MaxCount)
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"'{text}' is not DRIVER=COUNT (such as igb=7): a driver module's name and a VF count of 0–{MaxCount}.",
                text,
                "Give the PF driver's module and its VF count: -MaxVfs igb=7.");
        }

        return new ModuleMaxVfs(module, value);
    }

    /// <summary>
    /// Refuses a module this host does not have: not loaded, not a registered PCI driver, not the driver
    /// of one of its PFs (<paramref name="pfDrivers"/>), and not installed for the running kernel. The
    /// kernel ignores a word for a module it never loads, so <c>igbx.max_vfs=7</c> would do nothing.
    /// </summary>
    /// <exception cref="SriovException">No such module here.</exception>
    public void CheckKnown(Native.Files.HostFileSystem files, IEnumerable<string?> pfDrivers)
    {
        string module = Module;
        if (pfDrivers.Any(d => d is not null && KernelModules.Normalize(d) == module)
            || files.ListNames(PciDriverBinding.PciDrivers).Any(d => KernelModules.Normalize(d) == module))
        {
            return;
        }

        var modules = new KernelModules(files);
        if (!modules.IsKnown(module))
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"-MaxVfs names {module}, a module this host does not have: no PF uses it, it is not loaded, and it is "
                    + (modules.ListsRead ? "not installed for the running kernel" : "not a registered PCI driver")
                    + $", so {Word} would be ignored by the kernel.",
                module,
                "Name the PF's driver, as Get-SriovPf shows it (Driver): -MaxVfs igb=7.");
        }
    }

    /// <summary>
    /// Refuses a driver that is loaded and has no <c>max_vfs</c> parameter (ice, i40e, mlx5_core): the
    /// kernel ignores an unknown one. A driver not loaded cannot be asked, and is taken at its word.
    /// </summary>
    /// <exception cref="SriovException">It is loaded without such a parameter.</exception>
    public void CheckParameter(Native.Files.HostFileSystem files)
    {
        string parameters = $"/sys/module/{Module}/parameters";
        if (files.Exists(parameters) && !files.Exists(parameters + "/max_vfs"))
        {
            throw new SriovException(
                ErrorCatalog.InvalidMaxVfs,
                $"The {Module} driver has no max_vfs parameter ({parameters} lists none), so {Word} would be ignored by the kernel.",
                Module,
                "Create its VFs with Enable-SriovVf -Count N -Persist instead.");
        }
    }
}

/// <summary>
/// What the kernel command line must say for VFs to reach guests: the IOMMU on for the host's vendor
/// (Intel needs <c>intel_iommu=on</c>; AMD's is on unless turned off), <c>iommu=pt</c>, and the VF
/// counts given to drivers; and which words say the contrary.
/// </summary>
internal sealed class KernelWordRequest(IommuVendor vendor, IReadOnlyList<ModuleMaxVfs> maxVfs)
{
    public IommuVendor Vendor { get; } = vendor is IommuVendor.Unknown
        ? throw new ArgumentException("The IOMMU's vendor must be known.", nameof(vendor))
        : vendor;

    public IReadOnlyList<ModuleMaxVfs> MaxVfs { get; } = maxVfs;

    /// <summary>The words a command line lacks, in the order they are added.</summary>
    public List<string> Missing(KernelCommandLine line)
    {
        var missing = new List<string>();
        if (Vendor == IommuVendor.Intel && line.Last("intel_iommu", "on", "off") != "on")
        {
            missing.Add("intel_iommu=on");
        }

        if (!line.Options("iommu").Contains("pt", StringComparer.Ordinal))
        {
            missing.Add("iommu=pt");
        }

        foreach (var driver in MaxVfs)
        {
            string key = driver.Module + ".max_vfs";
            var counts = line.Options(key).ToList();
            if (counts.Count == 0 || counts.Any(c => c != driver.Count.ToString(CultureInfo.InvariantCulture)))
            {
                missing.Add(driver.Word);
            }
        }

        return missing;
    }

    /// <summary>Why <paramref name="word"/> works against the request, or <c>null</c> when it does not.</summary>
    public string? Contrary(string word)
    {
        int equals = word.IndexOf('=');
        if (equals <= 0)
        {
            return null;
        }

        string key = word[..equals].Replace('-', '_');
        string value = word[(equals + 1)..];
        var options = value.Split(',');
        if (key == "iommu" && options.Contains("off"))
        {
            return "it turns the IOMMU off";
        }

        if (key == "iommu" && options.Contains("nopt"))
        {
            return "it turns iommu=pt off";
        }

        if (Vendor == IommuVendor.Intel && key == "intel_iommu" && options.Contains("off"))
        {
            return "it turns VT-d off";
        }

        if (Vendor == IommuVendor.Amd && key == "amd_iommu" && options.Contains("off"))
        {
            return "it turns AMD-Vi off";
        }

        foreach (var driver in MaxVfs)
        {
            // Out-of-tree drivers take a count per port (igb.max_vfs=7,7): the same count for each is no contradiction.
            if (key == driver.Module + ".max_vfs" && options.Any(o => o != driver.Count.ToString(CultureInfo.InvariantCulture)))
            {
                return $"{driver.Word} replaces it";
            }
        }

        return null;
    }
}
