using SriovPS.Boot;
using SriovPS.Native.Files;

namespace SriovPS.Readiness;

/// <summary>
/// Whether the vfio modules a VF needs to reach a guest are loaded now (<c>/sys/module</c>, which
/// also lists built-in ones), and whether something loads vfio_pci at boot (modules-load.d, Debian's
/// <c>/etc/modules</c>, or a kernel that has it built in).
/// </summary>
internal static class VfioChecks
{
    public const string LoadedId = "Vfio.Loaded";
    public const string LoadAtBootId = "Vfio.LoadAtBoot";

    private static readonly string[] Modules = ["vfio", "vfio_iommu_type1", "vfio_pci"];

    // systemd-modules-load's search path, most specific first.
    private static readonly string[] LoadDirectories =
        ["/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"];

    /// <param name="required">
    /// Whether the consumer opens VFs through vfio itself (Kata, KubeVirt), with no libvirt to load vfio-pci as a
    /// guest starts: then vfio_pci missing now or at boot is a failure.
    /// </param>
    public static void Run(HostCheckList checks, HostFileSystem files, string target, KernelCommandLine? commandLine, bool required = false)
    {
        Action<string, string, string, string, HostRepair?> judge = required ? checks.Fail : checks.Warn;
        Loaded(checks, files, target, judge, required);
        LoadAtBoot(checks, files, target, commandLine, judge);
    }

    private static void Loaded(HostCheckList checks, HostFileSystem files, string target, Action<string, string, string, string, HostRepair?> judge, bool required)
    {
        if (!files.Exists("/sys/module"))
        {
            checks.Skip(LoadedId, target, "Not judged: loaded modules are listed in /sys/module, which only the live host has.");
            return;
        }

        var missing = Modules.Where(m => !files.Exists("/sys/module/" + m)).ToList();
        if (missing.Count == 0)
        {
            checks.Pass(LoadedId, target, "vfio, vfio_iommu_type1 and vfio_pci are loaded (/sys/module).");
            return;
        }

        string consequence = required
            ? "no VF can be bound to vfio-pci, so none can be given to a container or virtual machine, until it is."
            : "libvirt loads vfio-pci itself when a guest given a VF starts, but no VF can be bound to vfio-pci by hand until it is.";
        judge(LoadedId, target,
            $"{HostText.Join(missing)} {(missing.Count == 1 ? "is" : "are")} not loaded (not in /sys/module): {consequence}",
            "modprobe vfio-pci (Set-SriovVfDriver -Driver vfio-pci loads it too, as it binds VFs)",
            null);
    }

    private static void LoadAtBoot(
        HostCheckList checks, HostFileSystem files, string target, KernelCommandLine? commandLine, Action<string, string, string, string, HostRepair?> judge)
    {
        if (BuiltIn(files))
        {
            checks.Pass(LoadAtBootId, target, "vfio_pci is built into the running kernel (modules.builtin): nothing needs to load it.");
            return;
        }

        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, number, module) in Listed(files))
        {
            found.TryAdd(module, string.Create(CultureInfo.InvariantCulture, $"{path} line {number}"));
        }

        if (!found.ContainsKey("vfio_pci") && OtherLoader(files, commandLine) is { } loader)
        {
            found["vfio_pci"] = loader;
        }

        if (found.TryGetValue("vfio_pci", out string? where))
        {
            var also = Modules.Where(m => m != "vfio_pci" && found.ContainsKey(m)).ToList();
            string alsoText = also.Count > 0 ? $" ({HostText.Join(also)} too)" : " (it brings vfio and vfio_iommu_type1 with it)";
            checks.Pass(LoadAtBootId, target, $"vfio_pci is loaded at boot by {where}{alsoText}.");
            return;
        }

        string listed = found.Count > 0 ? $"; {HostText.Join(found.Keys.ToList())} {(found.Count == 1 ? "is" : "are")} listed, which does not bind VFs" : "";
        judge(LoadAtBootId, target,
            $"Nothing loads vfio_pci at boot (neither a modules-load.d file, such as /etc/modules-load.d/*.conf, nor /etc/modules " +
            $"lists it{listed}): after a reboot no VF can be bound to vfio-pci until something loads it.",
            "Enable-SriovIommu -VfioOnly (writes /etc/modules-load.d/vfio.conf).",
            HostRepair.VfioModules);
    }

    /// <summary>
    /// What else loads vfio_pci at boot, as "WHERE": the kernel command line (<c>modules-load=</c>,
    /// <c>rd.driver.pre=</c>), the initramfs (initramfs-tools, dracut), or a udev rule that loads it
    /// (Set-SriovVfDriver -Persist writes <c>RUN{builtin}+="kmod load vfio-pci"</c>).
    /// </summary>
    private static string? OtherLoader(HostFileSystem files, KernelCommandLine? commandLine)
    {
        foreach (var key in new[] { "modules_load", "rd.modules_load", "rd.driver.pre" })
        {
            if (commandLine?.Options(key).Any(IsVfioPci) == true)
            {
                return $"the kernel command line ({key.Replace('_', '-')}=)";
            }
        }

        foreach (var path in new[] { "/etc/initramfs-tools/modules" }.Concat(HostText.ConfFiles(files, "/etc/dracut.conf.d").Select(n => "/etc/dracut.conf.d/" + n)))
        {
            foreach (var (number, line) in HostText.ConfigLines(HostText.Read(files, path)))
            {
                bool dracut = path.StartsWith("/etc/dracut", StringComparison.Ordinal);
                var words = line.Split([' ', '\t', '"', '=', '+'], StringSplitOptions.RemoveEmptyEntries);
                if ((dracut ? words.Length > 1 && words[0] is "force_drivers" or "add_drivers" && words.Skip(1).Any(IsVfioPci) : IsVfioPci(words[0])))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{path} line {number} (the initramfs)");
                }
            }
        }

        foreach (var name in files.ListNames("/etc/udev/rules.d").Where(n => n.EndsWith(".rules", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string path = "/etc/udev/rules.d/" + name;
            foreach (var (number, line) in HostText.ConfigLines(HostText.Read(files, path)))
            {
                if (line.Contains("kmod load vfio-pci", StringComparison.Ordinal) || line.Contains("kmod load vfio_pci", StringComparison.Ordinal))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{path} line {number} (a udev rule, as VFs appear)");
                }
            }
        }

        return null;
    }

    private static bool IsVfioPci(string module) => module.Replace('-', '_') == "vfio_pci";

    /// <summary>Every vfio module named in a modules-load.d file or <c>/etc/modules</c>, spelled with underscores.</summary>
    private static IEnumerable<(string Path, int Number, string Module)> Listed(HostFileSystem files)
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in LoadDirectories)
        {
            // A file name in an earlier directory hides the same name in a later one.
            foreach (var name in HostText.ConfFiles(files, directory).Where(seen.Add))
            {
                paths.Add(directory + "/" + name);
            }
        }

        paths.Add("/etc/modules");
        foreach (var path in paths)
        {
            foreach (var (number, line) in HostText.ConfigLines(HostText.Read(files, path)))
            {
                // modules-load.d also takes ';' comments; /etc/modules allows arguments after the name.
                string module = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0].Replace('-', '_');
                if (!module.StartsWith(';') && Modules.Contains(module, StringComparer.Ordinal))
                {
                    yield return (path, number, module);
                }
            }
        }
    }

    private static bool BuiltIn(HostFileSystem files)
    {
        if (HostText.RunningKernelModules(files) is not { } modules)
        {
            return false;
        }

        string? builtin = HostText.Read(files, modules + "/modules.builtin");
        return builtin?.Split('\n').Any(l => l.EndsWith("/vfio-pci.ko", StringComparison.Ordinal) || l.EndsWith("/vfio_pci.ko", StringComparison.Ordinal)) == true;
    }
}
