using System.Text;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;
using SriovPS.Persistence.NetworkFiles;
using SriovPS.Values;

namespace SriovPS.Persistence;

/// <summary>
/// The file one network manager reads for one PF. The module owns the whole file: its name holds
/// <c>sriovps</c>, every line in it is the module's, and no other file is touched. Rendering is exact
/// and deterministic, so a second run with the same settings gives the same bytes and writes nothing.
/// Only text this writer renders is recognised as its own: a file edited by hand, or rewritten by the
/// manager's own tools (<c>nmcli connection modify</c>, <c>netplan set</c>), no longer is, and is
/// refused rather than half understood. Interface names are checked here again, more narrowly than
/// the kernel does, because they become part of a path and of the file's text.
/// </summary>
internal abstract class PfNetworkWriter
{
    /// <summary>The comment every file opens with; a file without it was not written by the module.</summary>
    public const string Header =
        "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n";

    /// <summary>The second line of a file that is the interface's only configuration.</summary>
    public const string NoAddressLine = "# The PF only carries SR-IOV VFs, so it gets no address of any kind.\n";

    public static PfNetworkWriter Netplan { get; } = new NetplanPfWriter();

    public static PfNetworkWriter NetworkManager { get; } = new NetworkManagerPfWriter();

    public static PfNetworkWriter SystemdNetworkd { get; } = new NetworkdPfWriter();

    public static PfNetworkWriter Ifupdown { get; } = new IfupdownPfWriter();

    /// <summary>The manager that reads this writer's files.</summary>
    public abstract HostNetworkManager Manager { get; }

    /// <summary>The directory the files go in, as the host spells it.</summary>
    public abstract string Directory { get; }

    /// <summary>The mode of a file that does not exist yet; an existing one keeps its own.</summary>
    public abstract uint NewFileMode { get; }

    /// <summary>Whether the manager's file can set the hw-tc-offload feature at boot (NetworkManager's [ethtool] section).</summary>
    public virtual bool HoldsHwTcOffload => false;

    /// <summary>The line that gives the MTU, with the value in a group named <c>mtu</c>.</summary>
    protected abstract Regex MtuLine { get; }

    /// <summary>The writer for a manager.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="HostNetworkManager.None"/>: nothing would read the file.</exception>
    public static PfNetworkWriter For(HostNetworkManager manager) => manager switch
    {
        HostNetworkManager.Netplan => Netplan,
        HostNetworkManager.NetworkManager => NetworkManager,
        HostNetworkManager.SystemdNetworkd => SystemdNetworkd,
        HostNetworkManager.Ifupdown => Ifupdown,
        _ => throw new ArgumentOutOfRangeException(nameof(manager), manager, "No network manager reads a file for this value."),
    };

    /// <summary>The PF's file, <c>/etc/netplan/60-sriovps-eno49.yaml</c>; always directly inside <see cref="Directory"/>.</summary>
    /// <exception cref="ArgumentException">The name could lead out of the directory or into the file's syntax.</exception>
    public string HostPathFor(string interfaceName) => $"{Directory}/{FileName(CheckedName(interfaceName))}";

    /// <summary>Where the previous version of the PF's file is kept: <c>NAME.sriovps.bak</c> unless the manager would read that too.</summary>
    public virtual string BackupHostPathFor(string interfaceName) => HostPathFor(interfaceName) + ConfigFile.BackupSuffix;

    /// <summary>The PF's file on a host, created with <see cref="NewFileMode"/> and backed up at <see cref="BackupHostPathFor"/>.</summary>
    public ConfigFile FileFor(HostFileSystem files, string interfaceName) =>
        new(files, HostPathFor(interfaceName), NewFileMode, BackupHostPathFor(interfaceName));

    /// <summary>The file to write beside <paramref name="others"/>: the PF's own file, unless the manager needs another (a drop-in).</summary>
    public virtual ConfigFile FileFor(HostFileSystem files, string interfaceName, PfNetworkConflicts? others) => FileFor(files, interfaceName);

    /// <summary>
    /// Whether the file must keep what <paramref name="others"/> set: by default when the same manager
    /// reads one of them, since only then would the two files meet.
    /// </summary>
    public virtual bool Keeps(PfNetworkConflicts? others) => others?.Of(Manager).Any() == true;

    /// <summary>Why no file of this manager can both keep <paramref name="others"/> and say <paramref name="settings"/>; <c>null</c> when one can.</summary>
    public virtual string? CannotKeep(HostFileSystem files, PfNetworkSettings settings, PfNetworkConflicts others) => null;

    /// <summary>The whole file for <paramref name="settings"/>, header first, each line ending in a newline.</summary>
    /// <exception cref="ArgumentException">The interface name is refused, or the MTU is out of range.</exception>
    public string Render(PfNetworkSettings settings) => Render(settings, null);

    /// <summary>
    /// The whole file for <paramref name="settings"/>, written to keep what <paramref name="others"/> set
    /// when <see cref="Keeps"/> says it must (it then sets only the link, never turning an address off).
    /// </summary>
    /// <exception cref="ArgumentException">The interface name is refused, or the MTU is out of range.</exception>
    public string Render(PfNetworkSettings settings, PfNetworkConflicts? others)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CheckedName(settings.InterfaceName);
        if (settings.Mtu is int mtu && !PfNetworkSettings.IsValidMtu(mtu))
        {
            throw new ArgumentOutOfRangeException(
                nameof(settings), mtu, $"An MTU is {PfNetworkSettings.MinMtu} to {PfNetworkSettings.MaxMtu}.");
        }

        if (settings.HwTcOffload is not null && !HoldsHwTcOffload)
        {
            throw new ArgumentException($"{NetworkManagerDetection.NameOf(Manager)} has no setting for hw-tc-offload.", nameof(settings));
        }

        bool keeps = Keeps(others);
        var text = new StringBuilder(512).Append(Header);
        text.Append(keeps
            ? $"# {settings.InterfaceName} is configured elsewhere too: this file sets only its link, so the addresses and DHCP set there are kept.\n"
            : NoAddressLine);
        RenderBody(text, settings, keeps ? others : null);
        return text.ToString();
    }

    /// <summary>
    /// The settings <paramref name="text"/> was rendered from for <paramref name="interfaceName"/>, or
    /// <c>null</c> when it is not exactly a rendering of this writer's (no header, another interface,
    /// any line changed, added or removed), so the caller can refuse to replace a file it did not write.
    /// A rendering that keeps <paramref name="others"/> is recognised too.
    /// </summary>
    /// <exception cref="ArgumentException">The interface name is refused.</exception>
    public PfNetworkSettings? Parse(string? text, string interfaceName, PfNetworkConflicts? others = null)
    {
        CheckedName(interfaceName);
        if (text is null || !text.StartsWith(Header, StringComparison.Ordinal))
        {
            return null;
        }

        int? mtu = null;
        // A file that keeps several definitions repeats the MTU in each; they must agree.
        var matches = MtuLine.Matches(text);
        if (matches.Cast<Match>().Select(m => m.Groups["mtu"].Value).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            return null;
        }

        if (matches.Count > 0)
        {
            if (!int.TryParse(matches[0].Groups["mtu"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                || !PfNetworkSettings.IsValidMtu(value))
            {
                return null;
            }

            mtu = value;
        }

        // Two renderings are possible once the MTU is known; the text must be one of them, byte for byte.
        foreach (var kept in others is null ? [null] : (PfNetworkConflicts?[])[null, others])
        {
            foreach (bool up in (ReadOnlySpan<bool>)[true, false])
            {
                foreach (bool? hwTcOffload in HoldsHwTcOffload ? (ReadOnlySpan<bool?>)[null, true, false] : [null])
                {
                    var settings = new PfNetworkSettings(interfaceName, up, mtu, hwTcOffload);
                    if (string.Equals(Render(settings, kept), text, StringComparison.Ordinal))
                    {
                        return settings;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The file's name inside <see cref="Directory"/> for an already checked interface name.</summary>
    protected abstract string FileName(string interfaceName);

    /// <summary>Appends everything after the header's two lines; <paramref name="kept"/> is set when the file must keep what it names.</summary>
    protected abstract void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept);

    protected static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="interfaceName"/> when it is 1 to 15 ASCII letters, digits, '-', '_' and '.', starting
    /// with a letter or digit and without "..": every PF name udev or an administrator gives in practice,
    /// and nothing that is a path separator, a glob, a YAML indicator or a line break in any of the files.
    /// </summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    internal static string CheckedName(string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        bool valid = interfaceName.Length is > 0 and <= InterfaceName.MaxLength
            && char.IsAsciiLetterOrDigit(interfaceName[0])
            && !interfaceName.Contains("..", StringComparison.Ordinal);
        foreach (char c in interfaceName)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
        }

        return valid
            ? interfaceName
            : throw new ArgumentException(
                $"'{interfaceName}' cannot name a PF's network configuration: the module writes it for names of 1 to {InterfaceName.MaxLength} " +
                "letters, digits, '-', '_' and '.', starting with a letter or digit, without '..' or '/'.",
                nameof(interfaceName));
    }
}
