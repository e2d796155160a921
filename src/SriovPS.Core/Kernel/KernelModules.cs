using SriovPS.Native.Files;

namespace SriovPS.Kernel;

/// <summary>
/// The kernel modules a host has: loaded (<c>/sys/module</c>), and installed for the running kernel
/// (<c>modules.dep</c>, <c>modules.builtin</c> in <c>/lib/modules/RELEASE</c>) — what modprobe can load.
/// Names are compared as modprobe compares them: '-' and '_' alike.
/// </summary>
internal sealed class KernelModules(HostFileSystem files)
{
    private HashSet<string>? _installed;

    /// <summary>A module name as the kernel keeps it: '-' is '_'.</summary>
    public static string Normalize(string name) => name.Replace('-', '_');

    /// <summary>Whether <paramref name="module"/> is loaded or built in, or installed for the running kernel.</summary>
    public bool IsKnown(string module) =>
        files.Exists("/sys/module/" + Normalize(module)) || Installed().Contains(Normalize(module));

    /// <summary>Whether the running kernel's module lists could be read at all (not in most copied host trees).</summary>
    public bool ListsRead => Installed().Count > 0;

    private HashSet<string> Installed()
    {
        if (_installed is not null)
        {
            return _installed;
        }

        _installed = new HashSet<string>(StringComparer.Ordinal);
        if (HostText.RunningKernelModules(files) is not { } directory)
        {
            return _installed;
        }

        foreach (string list in new[] { "modules.dep", "modules.builtin" })
        {
            foreach (string line in (HostText.Read(files, directory + "/" + list) ?? string.Empty).Split('\n'))
            {
                // kernel/drivers/vfio/pci/vfio-pci.ko.zst: kernel/drivers/vfio/vfio.ko.zst
                int colon = line.IndexOf(':');
                string path = colon < 0 ? line.Trim() : line[..colon];
                string name = path[(path.LastIndexOf('/') + 1)..];
                int ko = name.IndexOf(".ko", StringComparison.Ordinal);
                if (ko > 0)
                {
                    _installed.Add(Normalize(name[..ko]));
                }
            }
        }

        return _installed;
    }
}
