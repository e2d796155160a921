using SriovPS.Boot;
using SriovPS.Native.Files;
using SriovPS.Persistence;

namespace SriovPS.Readiness;

/// <summary>
/// What else makes a PF's VFs at boot, besides the module's udev rule: another udev rule writing
/// sriov_numvfs, systemd-networkd (<c>SR-IOVVirtualFunctions=</c> in a .link file), netplan
/// (<c>virtual-function-count</c>), NetworkManager (<c>sriov.total-vfs</c>), or the driver's own
/// <c>max_vfs</c> option. Found as "FILE line N", not compared: their matching rules are their own.
/// </summary>
internal static class VfCountSources
{
    public static string? Find(HostFileSystem files, SriovPf pf, KernelCommandLine? commandLine)
    {
        bool NamesPf(string text) =>
            text.Contains(pf.PciAddress, StringComparison.Ordinal) || (pf.Name is { } name && ContainsWord(text, name));

        return Line(files, "/etc/udev/rules.d", ".rules", l => l.Contains("sriov_numvfs", StringComparison.Ordinal) && NamesPf(l), skip: UdevVfRules.HostPath)
            ?? Line(files, "/etc/systemd/network", ".link", l => l.StartsWith("SR-IOVVirtualFunctions=", StringComparison.Ordinal), NamesPf)
            ?? Line(files, "/etc/netplan", ".yaml", l => l.StartsWith("virtual-function-count:", StringComparison.Ordinal), NamesPf)
            ?? Line(files, "/etc/NetworkManager/system-connections", ".nmconnection", l => l.StartsWith("total-vfs=", StringComparison.Ordinal),
                text => pf.Name is { } name && text.Contains("interface-name=" + name, StringComparison.Ordinal))
            ?? MaxVfsOption(files, pf, commandLine);
    }

    /// <summary>The first line of a file in <paramref name="directory"/> that <paramref name="isCount"/> accepts, in a file <paramref name="isFor"/> accepts.</summary>
    private static string? Line(
        HostFileSystem files, string directory, string extension, Func<string, bool> isCount, Func<string, bool>? isFor = null, string? skip = null)
    {
        foreach (var name in files.ListNames(directory).Where(n => n.EndsWith(extension, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string path = directory + "/" + name;
            string? text = path == skip ? null : HostText.Read(files, path);
            if (text is null || (isFor is not null && !isFor(text)))
            {
                continue;
            }

            foreach (var (number, line) in HostText.ConfigLines(text))
            {
                if (isCount(line))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{path} line {number}");
                }
            }
        }

        return null;
    }

    /// <summary>The PF driver's max_vfs option (igb.max_vfs=7), on the kernel command line or in modprobe.d.</summary>
    private static string? MaxVfsOption(HostFileSystem files, SriovPf pf, KernelCommandLine? commandLine)
    {
        if (pf.Driver is not { } driver)
        {
            return null;
        }

        if (commandLine?.Options(driver + ".max_vfs").Any() == true)
        {
            return $"the kernel command line ({driver}.max_vfs=)";
        }

        return Line(files, "/etc/modprobe.d", ".conf", l =>
        {
            var words = l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return words.Length >= 3 && words[0] == "options" && words[1] == driver && words.Skip(2).Any(w => w.StartsWith("max_vfs=", StringComparison.Ordinal));
        });
    }

    private static bool ContainsWord(string text, string word)
    {
        for (int at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            bool before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            bool after = at + word.Length == text.Length || !char.IsLetterOrDigit(text[at + word.Length]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }
}
