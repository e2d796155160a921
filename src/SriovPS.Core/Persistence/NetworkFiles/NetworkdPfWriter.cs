using System.Text;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// <c>/etc/systemd/network/10-sriovps-IFNAME.network</c>. systemd-networkd applies the first
/// <c>.network</c> file in lexical order whose [Match] fits a link, so the low number puts this one
/// before catch-alls such as <c>20-wired.network</c>. <c>ActivationPolicy=</c> (v248 and later)
/// brings the link up or keeps it down; <c>RequiredForOnline=no</c> keeps systemd-networkd-wait-online
/// from waiting for a link that never gets an address; <c>ConfigureWithoutCarrier=yes</c> applies the
/// rest before a cable is plugged in.
/// Beside another <c>.network</c> file that matches the interface, a second file would be ignored (or
/// hide that one, with its addresses), so the module writes a drop-in for it instead,
/// <c>/etc/systemd/network/NAME.network.d/sriovps-IFNAME.conf</c>, which systemd-networkd merges into
/// it: only [Link] <c>ActivationPolicy=</c> and <c>MTUBytes=</c>, so its [Network] stays as it is. A
/// drop-in applies to every link the file matches, so it is written only for a file that matches this
/// interface alone (one exact <c>Name=</c>, or its MAC).
/// </summary>
internal sealed partial class NetworkdPfWriter : PfNetworkWriter
{
    public override HostNetworkManager Manager => HostNetworkManager.SystemdNetworkd;

    public override string Directory => "/etc/systemd/network";

    public override uint NewFileMode => 0b110_100_100;

    protected override Regex MtuLine => MtuPattern();

    protected override string FileName(string interfaceName) => $"10-sriovps-{interfaceName}.network";

    /// <summary>The file that systemd-networkd applies to the interface now: the first match by name.</summary>
    private static OtherPfConfiguration? Used(PfNetworkConflicts? others) =>
        others?.Of(HostNetworkManager.SystemdNetworkd).FirstOrDefault();

    public override ConfigFile FileFor(HostFileSystem files, string interfaceName, PfNetworkConflicts? others)
    {
        if (!Keeps(others))
        {
            return FileFor(files, interfaceName);
        }

        string path = $"{Directory}/{Used(others)!.NetworkdFileName}.d/sriovps-{CheckedName(interfaceName)}.conf";
        return new ConfigFile(files, path, NewFileMode, path + ConfigFile.BackupSuffix);
    }

    public override string? CannotKeep(HostFileSystem files, PfNetworkSettings settings, PfNetworkConflicts others)
    {
        if (!Keeps(others))
        {
            return null;
        }

        var used = Used(others)!;
        if (!used.MatchesThisInterfaceOnly)
        {
            return $"{used.HostPath} matches other interfaces too, and a drop-in for it would change their link and MTU as well.";
        }

        string own = HostPathFor(settings.InterfaceName);
        return files.Exists(own)
            ? $"{own}, written by SriovPS before, also matches {settings.InterfaceName} and hides {used.HostPath} from systemd-networkd; move it away first."
            : null;
    }

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept)
    {
        if (kept is not null)
        {
            text.Append("[Link]\n")
                .Append("ActivationPolicy=").Append(settings.Up ? "up" : "down").Append('\n');
            if (settings.Mtu is int keptMtu)
            {
                text.Append("MTUBytes=").Append(Number(keptMtu)).Append('\n');
            }

            return;
        }

        text.Append("[Match]\n")
            .Append("Name=").Append(settings.InterfaceName).Append('\n')
            .Append('\n')
            .Append("[Link]\n")
            .Append("ActivationPolicy=").Append(settings.Up ? "up" : "down").Append('\n')
            .Append("RequiredForOnline=no\n");
        if (settings.Mtu is int mtu)
        {
            text.Append("MTUBytes=").Append(Number(mtu)).Append('\n');
        }

        text.Append('\n')
            .Append("[Network]\n")
            .Append("DHCP=no\n")
            .Append("LinkLocalAddressing=no\n")
            .Append("IPv6AcceptRA=no\n")
            .Append("ConfigureWithoutCarrier=yes\n");
    }

    [GeneratedRegex("^MTUBytes=(?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();
}
