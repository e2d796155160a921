using System.Threading;
using SriovPS.Native.Files;

namespace SriovPS.Boot;

/// <summary>
/// The program that turns <c>/etc/default/grub</c> into the GRUB configuration read at boot, as this
/// distribution has it: <c>update-grub</c> (Debian, Ubuntu), else <c>grub2-mkconfig -o FILE</c>
/// (Fedora, RHEL, SUSE) or <c>grub-mkconfig -o FILE</c> (Arch), FILE being the configuration GRUB
/// really reads — never the small EFI file that only hands over to it. Run with an argument list, no shell.
/// </summary>
internal sealed record GrubRegenerator(string Program, IReadOnlyList<string> Arguments, string ConfigPath)
{
    private static readonly string[] UpdateGrub = ["/usr/sbin/update-grub", "/sbin/update-grub"];
    private static readonly string[] Grub2Mkconfig = ["/usr/sbin/grub2-mkconfig", "/sbin/grub2-mkconfig", "/usr/bin/grub2-mkconfig"];
    private static readonly string[] GrubMkconfig = ["/usr/sbin/grub-mkconfig", "/sbin/grub-mkconfig", "/usr/bin/grub-mkconfig"];

    /// <summary>How it is run, as a reader would type it.</summary>
    public string CommandLine => string.Join(' ', Arguments.Prepend(Program));

    /// <summary>The host's regenerator; <c>null</c> when it has none of them.</summary>
    public static GrubRegenerator? Detect(HostFileSystem files)
    {
        if (HostProgram.Find(files, UpdateGrub) is { } update)
        {
            return new GrubRegenerator(update, [], "/boot/grub/grub.cfg");
        }

        foreach (var (programs, defaultConfig) in new[] { (Grub2Mkconfig, "/boot/grub2/grub.cfg"), (GrubMkconfig, "/boot/grub/grub.cfg") })
        {
            if (HostProgram.Find(files, programs) is { } mkconfig)
            {
                string config = ConfigOf(files) ?? defaultConfig;
                return new GrubRegenerator(mkconfig, ["-o", config], config);
            }
        }

        return null;
    }

    /// <summary>Whether the configuration is older than <c>/etc/default/grub</c> (or missing): an earlier change was not regenerated.</summary>
    public bool IsBehind(HostFileSystem files)
    {
        // Resolved inside the root: a link in a copied tree never leads to this machine's files.
        bool hasConfig = files.Stamp(ConfigPath, out var configWritten, out _) == 0;
        bool hasDefaults = files.Stamp(GrubCommandLine.HostPath, out var defaultsWritten, out _) == 0;
        return !hasConfig || (hasDefaults && configWritten < defaultsWritten);
    }

    /// <summary>Runs it on the live host and waits for it.</summary>
    /// <exception cref="SriovException">It could not be started, or it failed; its last words are in the message.</exception>
    public void Run(CancellationToken cancellationToken)
    {
        var (exitCode, said) = HostProgram.Run(Program, [.. Arguments], cancellationToken);
        if (exitCode != 0)
        {
            throw Failed($"{CommandLine} failed{(exitCode < 0 ? "" : $" (exit code {exitCode})")}{(said.Length > 0 ? ": " + said : ".")}");
        }
    }

    /// <summary>The configuration GRUB reads: the BIOS one, else an EFI one that is not only a hand-over.</summary>
    private static string? ConfigOf(HostFileSystem files)
    {
        foreach (var path in new[] { "/boot/grub2/grub.cfg", "/boot/grub/grub.cfg" })
        {
            if (files.Exists(path))
            {
                return path;
            }
        }

        foreach (var vendor in files.ListNames("/boot/efi/EFI").Order(StringComparer.Ordinal))
        {
            string path = $"/boot/efi/EFI/{vendor}/grub.cfg";
            if (HostText.Read(files, path) is { } text && !text.Contains("configfile", StringComparison.Ordinal))
            {
                return path;
            }
        }

        return null;
    }

    private SriovException Failed(string message) => new(
        ErrorCatalog.GrubRegenerateFailed,
        message + $" {GrubCommandLine.HostPath} is changed; {ConfigPath}, which GRUB reads at boot, is not.",
        ConfigPath,
        $"Fix what {Program} reports and run it again ({CommandLine}), or run Enable-SriovIommu again.");
}
