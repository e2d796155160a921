using SriovPS.Native.Files;

namespace SriovPS.Boot;

/// <summary>
/// The running kernel's command line (<c>/proc/cmdline</c>) as the kernel reads it: words of
/// <c>key=value</c>, keys compared with '-' and '_' alike, and option lists such as
/// <c>intel_iommu=on,sm_on</c> split at commas; a later word overrides an earlier one.
/// </summary>
internal sealed class KernelCommandLine
{
    public const string HostPath = "/proc/cmdline";

    private readonly List<(string Key, string? Value)> _words;

    public KernelCommandLine(string text)
    {
        Text = text.Trim();
        _words = Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word =>
            {
                int equals = word.IndexOf('=');
                return equals < 0 ? (Normalize(word), (string?)null) : (Normalize(word[..equals]), word[(equals + 1)..]);
            })
            .ToList();
    }

    public string Text { get; }

    /// <summary>The command line the host booted with; <c>null</c> when it cannot be read.</summary>
    public static KernelCommandLine? Read(HostFileSystem files) =>
        HostText.Read(files, HostPath) is { } text ? new KernelCommandLine(text) : null;

    /// <summary>The options given to <paramref name="key"/>, in order (<c>iommu=pt iommu=force</c> gives pt, force).</summary>
    public IEnumerable<string> Options(string key)
    {
        string wanted = Normalize(key);
        foreach (var (name, value) in _words)
        {
            if (name == wanted && value is not null)
            {
                foreach (var option in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return option;
                }
            }
        }
    }

    /// <summary>The last of <paramref name="choices"/> given to <paramref name="key"/> (the one the kernel keeps), or <c>null</c>.</summary>
    public string? Last(string key, params string[] choices) =>
        Options(key).LastOrDefault(o => choices.Contains(o, StringComparer.Ordinal));

    /// <summary>The word <c>key=option</c> as written, for findings.</summary>
    public static string Word(string key, string option) => key + "=" + option;

    private static string Normalize(string key) => key.Replace('-', '_');
}
