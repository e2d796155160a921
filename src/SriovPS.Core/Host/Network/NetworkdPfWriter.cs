using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Host.Network;

/// <summary>
/// <c>/etc/systemd/network/10-sriovps-IFNAME.network</c>. systemd-networkd applies the first
/// <c>.network</c> file in lexical order whose [Match] fits a link, so the low number puts this one
/// before catch-alls such as <c>20-wired.network</c>. <c>ActivationPolicy=</c> (v248 and later)
/// brings the link up or keeps it down; <c>RequiredForOnline=no</c> keeps systemd-networkd-wait-online
/// from waiting for a link that never gets an address; <c>ConfigureWithoutCarrier=yes</c> applies the
/// rest before a cable is plugged in.
/// </summary>
internal sealed partial class NetworkdPfWriter : PfNetworkWriter
{
    public override HostNetworkManager Manager => HostNetworkManager.SystemdNetworkd;

    public override string Directory => "/etc/systemd/network";

    public override uint NewFileMode => 0b110_100_100;

    protected override Regex MtuLine => MtuPattern();

    protected override string FileName(string interfaceName) => $"10-sriovps-{interfaceName}.network";

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings)
    {
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
