using System.Text.RegularExpressions;
using System.Threading;
using SriovPS.Native.Files;

namespace SriovPS.AppArmor;

/// <summary>
/// Loads the changed abstraction into the profiles of the guests running now: libvirt writes each
/// guest's profile (<c>/etc/apparmor.d/libvirt/libvirt-UUID</c>) as it starts it, and the kernel
/// keeps the rules it was loaded with until the profile is replaced (<c>apparmor_parser -r</c>).
/// Guests started later read the new rules anyway.
/// </summary>
internal static partial class AppArmorReload
{
    private const string ProfileDirectory = "/etc/apparmor.d/libvirt";

    /// <summary>The host's <c>apparmor_parser</c>; <c>null</c> when it has none.</summary>
    public static string? Parser(HostFileSystem files) => HostProgram.Find(files, "/usr/sbin/apparmor_parser", "/sbin/apparmor_parser");

    /// <summary>The guests' profiles (host paths), one per guest libvirt confined as it started it.</summary>
    public static List<string> GuestProfiles(HostFileSystem files) =>
        files.ListNames(ProfileDirectory).Where(n => GuestProfile().IsMatch(n)).Order().Select(n => $"{ProfileDirectory}/{n}").ToList();

    /// <summary>Replaces each profile in the kernel; the first that fails is reported.</summary>
    /// <exception cref="SriovException">apparmor_parser refused a profile.</exception>
    public static void Run(string parser, IEnumerable<string> profiles, CancellationToken cancellationToken)
    {
        foreach (var profile in profiles)
        {
            // Skipping the cache: a cached profile predates the rules just written.
            var (exitCode, said) = HostProgram.Run(parser, ["--replace", "--skip-read-cache", profile], cancellationToken);
            if (exitCode != 0)
            {
                throw new SriovException(
                    ErrorCatalog.AppArmorReloadFailed,
                    $"{parser} --replace {profile} failed{(said.Length > 0 ? ": " + said : ".")} The files are written; that guest keeps its old rules until it is started again.",
                    profile,
                    $"Fix what apparmor_parser reports, then run: {parser} --replace {profile}");
            }
        }
    }

    [GeneratedRegex("^libvirt-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex GuestProfile();
}
