using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Host.Network;

/// <summary>
/// <c>/etc/netplan/60-sriovps-IFNAME.yaml</c>: one ethernet definition with no address of any kind.
/// netplan merges all its files in name order, so this one adds to (and for the keys it names,
/// overrides) a definition such as cloud-init's <c>50-cloud-init.yaml</c>; a file sorting after it
/// still wins. <c>optional: true</c> keeps boot from waiting for an address the PF never gets
/// (systemd-networkd-wait-online would otherwise hold network-online.target for two minutes), and
/// <c>activation-mode: off</c> is netplan's way to keep a link down (systemd-networkd v248 and later).
/// New files are 0600: netplan warns about configuration readable by others.
/// </summary>
internal sealed partial class NetplanPfWriter : PfNetworkWriter
{
    public override HostNetworkManager Manager => HostNetworkManager.Netplan;

    public override string Directory => "/etc/netplan";

    public override uint NewFileMode => 0b110_000_000;

    protected override Regex MtuLine => MtuPattern();

    protected override string FileName(string interfaceName) => $"60-sriovps-{interfaceName}.yaml";

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings)
    {
        text.Append("network:\n")
            .Append("  version: 2\n")
            .Append("  ethernets:\n")
            .Append("    ").Append(settings.InterfaceName).Append(":\n")
            .Append("      dhcp4: false\n")
            .Append("      dhcp6: false\n")
            .Append("      accept-ra: false\n")
            .Append("      link-local: []\n")
            .Append("      optional: true\n");
        if (settings.Mtu is int mtu)
        {
            text.Append("      mtu: ").Append(Number(mtu)).Append('\n');
        }

        if (!settings.Up)
        {
            text.Append("      activation-mode: off\n");
        }
    }

    [GeneratedRegex("^      mtu: (?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();
}
