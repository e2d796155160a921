using SriovPS.Discovery;
using SriovPS.Native.Files;

namespace SriovPS.VfDriver;

/// <summary>
/// Whether some driver will bind a new PCI device by itself, judged the way the kernel and udev do it:
/// the device's <c>modalias</c> matched against the aliases of the running kernel's modules
/// (<c>modules.alias</c>) and built-in drivers (<c>modules.builtin.modinfo</c>). A built-in or loaded
/// module binds at once; a module not loaded yet binds only when udev is running to load it.
/// </summary>
internal sealed class PciDriverAvailability(HostFileSystem files)
{
    private List<(string Pattern, string Module)>? _aliases;
    private HashSet<string>? _builtIn;
    private readonly Dictionary<string, bool> _byModalias = new(StringComparer.Ordinal);

    /// <summary>Whether a driver will bind the device at <paramref name="pciAddress"/> without being asked.</summary>
    public bool WillBind(string pciAddress)
    {
        string? modalias = files.ReadAttribute(SriovDiscovery.PciDevices + "/" + pciAddress + "/modalias");
        if (modalias is null)
        {
            return false;
        }

        if (_byModalias.TryGetValue(modalias, out bool known))
        {
            return known;
        }

        LoadAliases();
        return _byModalias[modalias] = Matches(modalias);
    }

    /// <summary>
    /// The module the kernel would give the device at <paramref name="pciAddress"/> (the first
    /// modules.alias or built-in entry matching its modalias, loaded or not), which for VF drivers is
    /// also the driver's name; <c>null</c> when none matches.
    /// </summary>
    public string? DefaultModule(string pciAddress)
    {
        string? modalias = files.ReadAttribute(SriovDiscovery.PciDevices + "/" + pciAddress + "/modalias");
        if (modalias is null)
        {
            return null;
        }

        LoadAliases();
        foreach (var (pattern, module) in _aliases!)
        {
            if (WildcardMatch(pattern, modalias))
            {
                return module;
            }
        }

        return null;
    }

    private bool Matches(string modalias)
    {
        bool udevLoadsModules = files.Exists("/run/udev/control");
        foreach (var (pattern, module) in _aliases!)
        {
            if (WildcardMatch(pattern, modalias)
                && (_builtIn!.Contains(module) || udevLoadsModules || files.Exists("/sys/module/" + module)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Shell-style matching with <c>*</c> and <c>?</c>, as modules.alias patterns use.</summary>
    internal static bool WildcardMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private void LoadAliases()
    {
        if (_aliases is not null)
        {
            return;
        }

        _aliases = [];
        _builtIn = new HashSet<string>(StringComparer.Ordinal);
        if (HostText.RunningKernelModules(files) is not { } modules)
        {
            return;
        }

        foreach (var line in ReadLines(modules + "/modules.alias"))
        {
            // alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "alias" && parts[1].StartsWith("pci:", StringComparison.Ordinal))
            {
                _aliases.Add((parts[1], parts[2]));
            }
        }

        // NUL-separated "module.key=value" records of the drivers built into the kernel.
        string? modinfo = HostText.Read(files, modules + "/modules.builtin.modinfo");
        foreach (var record in (modinfo ?? string.Empty).Split('\0'))
        {
            int dot = record.IndexOf(".alias=pci:", StringComparison.Ordinal);
            if (dot > 0)
            {
                string module = record[..dot];
                _aliases.Add((record[(dot + ".alias=".Length)..], module));
                _builtIn.Add(module);
            }
        }
    }

    private IEnumerable<string> ReadLines(string hostPath) =>
        HostText.Read(files, hostPath)?.Split('\n') ?? [];
}
