using System.IO;
using System.Text;
using SriovPS.Native.Files;

namespace SriovPS.Hosting;

/// <summary>
/// Whole files of the host the checks read (procfs tables, configuration files): absent and unreadable
/// files read as <c>null</c>, since a check reports what it could not read rather than failing the run.
/// </summary>
internal static class HostText
{
    public static string? Read(HostFileSystem files, string hostPath) =>
        files.ReadAll(hostPath, out byte[]? content) == 0 ? Decode(content!) : null;

    /// <summary>A file's bytes as text, as File.ReadAllText decodes them (UTF-8 unless a byte-order mark says otherwise).</summary>
    public static string Decode(byte[] content)
    {
        using var reader = new StreamReader(new MemoryStream(content), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The lines of a configuration file with comments (<c>#</c> to the end of the line) and
    /// surrounding blanks removed, each with its 1-based line number; empty lines are left out.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> ConfigLines(string? text)
    {
        if (text is null)
        {
            yield break;
        }

        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            int hash = raw.IndexOf('#');
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length > 0)
            {
                yield return (number, line);
            }
        }
    }

    /// <summary>The <c>*.conf</c> files of a configuration directory, in the order their readers take them.</summary>
    public static List<string> ConfFiles(HostFileSystem files, string directory)
    {
        var names = files.ListNames(directory);
        names.RemoveAll(n => !n.EndsWith(".conf", StringComparison.Ordinal));
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Items as a finding lists them: <c>a</c>, <c>a and b</c>, <c>a, b and c</c>.</summary>
    public static string Join(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>The running kernel's module directory, <c>/lib/modules/RELEASE</c>; <c>null</c> when its release cannot be read.</summary>
    public static string? RunningKernelModules(HostFileSystem files) =>
        files.ReadAttribute("/proc/sys/kernel/osrelease")?.Trim() is { Length: > 0 } release ? "/lib/modules/" + release : null;
}
