using System;
using System.Linq;
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
/// Beside another definition of the interface (or an address on it) the file keeps what that one
/// sets, by netplan's own merge: it writes under the same definition id (so a <c>match:</c>ed
/// definition is extended, not doubled into a second, competing networkd or NetworkManager file)
/// only the keys it changes, the MTU and <c>activation-mode</c>, and none of <c>dhcp4</c>,
/// <c>dhcp6</c>, <c>accept-ra</c>, <c>link-local</c> or <c>optional</c>, whose values there stay.
/// </summary>
internal sealed partial class NetplanPfWriter : PfNetworkWriter
{
    public override HostNetworkManager Manager => HostNetworkManager.Netplan;

    public override string Directory => "/etc/netplan";

    public override uint NewFileMode => 0b110_000_000;

    protected override Regex MtuLine => MtuPattern();

    protected override string FileName(string interfaceName) => $"60-sriovps-{interfaceName}.yaml";

    /// <summary>Any other configuration is kept: leaving the address keys out costs nothing in netplan.</summary>
    public override bool Keeps(PfNetworkConflicts? others) => others?.Any == true;

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept)
    {
        if (kept is not null)
        {
            RenderKeeping(text, settings, kept);
            return;
        }

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

    private static void RenderKeeping(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts kept)
    {
        var ids = kept.Of(HostNetworkManager.Netplan).Select(c => c.NetplanId!).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            ids.Add(settings.InterfaceName);
        }

        text.Append("network:\n")
            .Append("  version: 2\n")
            .Append("  ethernets:\n");
        foreach (var id in ids)
        {
            text.Append("    ").Append(Quoted(id)).Append(':');
            if (settings.Mtu is null && settings.Up)
            {
                text.Append(" {}\n");
                continue;
            }

            text.Append('\n');
            if (settings.Mtu is int mtu)
            {
                text.Append("      mtu: ").Append(Number(mtu)).Append('\n');
            }

            if (!settings.Up)
            {
                text.Append("      activation-mode: off\n");
            }
        }
    }

    /// <summary>An id read from another file, quoted unless it is a plain name.</summary>
    private static string Quoted(string id) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? id : "\"" + id.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex("^      mtu: (?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();
}
